// Parameter shapes shared by main.bicep and the modules.

@export()
@description('A service client (municipality, agency, private service) that calls the API with an API key.')
type serviceClient = {
  @description('Client id: the <clientId> in Clients__<clientId>__ApiKey. Letters, digits and hyphens.')
  id: string

  @description('Comma-separated roles, as in Clients__<clientId>__Roles.')
  roles: string

  @description('Name of the Key Vault secret holding the API key (created by the operator, not by this template).')
  apiKeySecretName: string

  @description('Optional https URL of the client\'s webhook (certificate.revoked of its watched certificates), as Clients__<clientId>__WebhookUrl.')
  webhookUrl: string?

  @description('Optional name of the Key Vault secret holding the HMAC secret of the client\'s webhook (at least 32 characters), as Clients__<clientId>__WebhookSecret.')
  webhookSecretName: string?
}

@export()
@description('A webhook source (Mynaportal, a TV platform) whose requests are signed with an HMAC secret.')
type webhookSource = {
  @description('Source id: the <source> in Webhooks__<source>__Secret.')
  source: string

  @description('Name of the Key Vault secret holding the HMAC secret (created by the operator).')
  secretName: string
}

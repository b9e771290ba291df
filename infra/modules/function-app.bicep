// Flex Consumption plan and the Function App (.NET isolated). The app runs as the user-assigned
// identity; every app setting the code reads in Azure is declared in `appSettings` below.

import { serviceClient, webhookSource } from 'types.bicep'

param name string
param planName string
param location string
param tags object

@description('Value of the azd-service-name tag: azd deploys the service of that name here.')
param serviceName string

param identityId string
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultName string
param keyVaultUri string
param serviceBusFullyQualifiedNamespace string

@description('Delegation recipient id → Service Bus topic name.')
param delegationTopics object

param serviceClients serviceClient[]
param webhookSources webhookSource[]

@description('Deployment-specific settings (e.g. Jpki__TrustAnchors__Signing__0). They override the tunable defaults below, not the wiring.')
param additionalAppSettings object

@description('Exact origins (scheme://host[:port]) whose pages may call the API from a browser: siteConfig.cors, no wildcard, no credentials (Cors:AllowedOrigins locally).')
param corsAllowedOrigins string[]
@description('Closed network: the subnet the app integrates with (all outbound traffic through the network and its NAT gateway); empty = none.')
param virtualNetworkSubnetId string = ''

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

func keyVaultReference(vaultName string, secretName string) string =>
  '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

// Clients with a webhook of their own (certificate watches); the app refuses a URL without a secret.
var webhookClients = filter(serviceClients, c => !empty(c.?webhookUrl ?? ''))

// Every setting the app reads in Azure. tests/ServerlessMyKey.Infra.Tests checks this block against
// local.settings.sample.json (local-only settings are listed in infra/local-only-settings.json):
// keep one `Name: value` per line, and write names built from parameters as toObject key lambdas.
var appSettings = union(
  {
    // Tunable defaults (e.g. Auth__*, Delegation__*): additionalAppSettings may override these.
    KeyVault__Keys__token_signing: 'token-signing'
    KeyVault__Keys__data_encryption: 'data-encryption'
    Points__HoldingPeriodDays: '14'
    Certificates__StatusJobQueue: 'certificate-status-chunks'
    Auth__ChallengeTtlSeconds: '300'
    Auth__TokenLifetimeSeconds: '900'
    Auth__Issuer: '' // empty: https://<WEBSITE_HOSTNAME>/api
    Auth__Audience: 'serverlessmykey-api'
    Auth__JwksRotationOverlapSeconds: '86400'
    Auth__ClockSkewSeconds: '60'
    RateLimits__Enabled: 'true'
    RateLimits__PermitsPerMinute: '60'
    RateLimits__Burst: '20'
    RateLimits__OidcLogin__PermitsPerMinute: '60'
    RateLimits__OidcLogin__Burst: '20'
    RateLimits__OidcToken__PermitsPerMinute: '600'
    RateLimits__OidcToken__Burst: '100'
    RateLimits__ClientAddressHeader: 'X-Forwarded-For' // the App Service front end appends the caller's address; X-Azure-ClientIP behind Front Door
    Jpki__BundledRoots: 'true'
    Jpki__AllowTestRoots: 'false'
    Jpki__ClockSkewSeconds: '300'
    Jpki__CertificateCacheSize: '10000'
    Jpki__Revocation__Mode: 'Crl'
    Jpki__Revocation__RefreshSeconds: '300'
    Jpki__Revocation__MaxCrlMegabytes: '512'
    Jpki__Revocation__OcspTimeoutSeconds: '5'
    Jpki__Revocation__OcspMaxConcurrentRequests: '16'
    Jpki__Revocation__StaleWarningHours: '12'
    Cleanup__IdempotencyWindowHours: '24'
    Cleanup__BatchSize: '5000'
    Durable__PurgeAfterDays: '30' // finished orchestrations (their inputs/outputs) are purged from the task hub after this
    Durable__PurgeBatchSize: '1000'
    Backup__ExportSchedule: '0 30 16 * * *' // UTC: 01:30 JST
    Signatures__StoreHolderData: 'false'
    Certificates__WatchSchedule: '0 0 17 * * *' // UTC: 02:00 JST
    Certificates__WatchQueue: 'certificate-watches'
    Delegation__Procedures: 'procurement.bid,procurement.contract,childcare.employment-certificate,radio.application'
    Childcare__Procedures: 'nursery.application,child-allowance.claim,pregnancy.notification'
    Childcare__EmployerResponseDays: '14'
    Mailbox__FreshLoginSeconds: '300'
    Delegation__AckTimeoutSeconds: '3600'
    Delegation__MaxAttempts: '3'
    Delegation__RetryBackoffSeconds: '60'
    Delegation__DelegatorTrustAnchors: '' // empty: corporate-CA delegators off; files in the package, comma-separated
    Delegation__DelegatorCrlFiles: '' // CRL files or blob URIs of those CAs; none = corporate certificates revocation_unavailable
    Disaster__DeliveryQueue: 'disaster-deliveries'
    Disaster__DeliveryBatchSize: '50'
    Disaster__MaxDeliveryAttempts: '5'
    Disaster__RetryBaseSeconds: '30'
    Disaster__CheckinLookbackHours: '12'
    Disaster__WatchSchedule: '0 */15 * * * *'
    Disaster__QrBaseUri: '' // empty: the sample app link; set the resident app's https pairing URL
    Watch__MaxOnHours: '18'
    Watch__MaxIdleHours: '24'
    Medical__Hpki__TrustAnchors: '' // empty: every HPKI certificate untrusted; CA files in the package, comma-separated
    Medical__Hpki__CrlFiles: '' // CRL files or blob URIs of the HPKI CAs; none = HPKI certificates revocation_unavailable
    Medical__Hpki__HcRoleAttributeOid: '1.0.17090.0.1' // docs/medical.md: from the CA's CP (UNCERTAIN default)
    Medical__Hpki__RoleCodingSchemeOid: '1.2.392.100495.1.6.1.1'
    Medical__Hpki__NameAttributeOid: '2.5.4.3'
    Medical__Hpki__DateOfBirthAttributeOid: '1.3.6.1.5.5.7.9.1'
    Medical__Hpki__Policies: '' // empty: certificate policy not checked
    Medical__Retention__AccessLogDays: '1825' // docs/medical.md: the patient's access log, 5 years
    Medical__Retention__ReservationDays: '90' // reservations, after their time
    Medical__Hpki__Roles: 'Medical Doctor,Dentist,Pharmacist,Nurse,Public Health Nurse,Midwife,Radiological Technologist,Clinical Laboratory Technologist,Physical Therapist,Occupational Therapist,Orthoptist,Speech-Language-Hearing Therapist,Dental Hygienist,Dental Technician,Clinical Engineer,Prosthetist and Orthotist,Emergency Medical Technician,Registered Dietitian'
    Oidc__LoginPageUrl: '' // empty: the API's minimal page <issuer>/oidc/login
    Oidc__CodeLifetimeSeconds: '60'
    Oidc__TokenLifetimeSeconds: '600'
  },
  additionalAppSettings,
  {
    // Wiring to the resources of this deployment; always as below.
    // Host and Durable Functions storage, identity-based (replaces the AzureWebJobsStorage connection string).
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    KeyVault__Uri: keyVaultUri
    KeyVault__ClientId: identityClientId
    ServiceBus__FullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    ServiceBus__ClientId: identityClientId
  },
  toObject(serviceClients, c => 'Clients__${c.id}__ApiKey', c => keyVaultReference(keyVaultName, c.apiKeySecretName)),
  toObject(serviceClients, c => 'Clients__${c.id}__Roles', c => c.roles),
  toObject(webhookClients, c => 'Clients__${c.id}__WebhookUrl', c => c.?webhookUrl ?? ''),
  toObject(webhookClients, c => 'Clients__${c.id}__WebhookSecret', c => keyVaultReference(keyVaultName, c.?webhookSecretName ?? '')),
  toObject(webhookSources, w => 'Webhooks__${w.source}__Secret', w => keyVaultReference(keyVaultName, w.secretName)),
  toObject(items(delegationTopics), t => 'Delegation__Recipients__${t.key}__Topic', t => t.value)
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings resolve with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // The platform answers CORS (preflight included) before the app; the DevHost does the same
      // from Cors:AllowedOrigins. Bearer tokens and API keys travel in headers, so no credentials.
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }

  // No publishing passwords: azd deploys with an Entra ID token.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName

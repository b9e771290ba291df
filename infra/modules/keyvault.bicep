// Key Vault for the service keys (never exported: the app signs and unwraps through the REST API)
// and for secrets referenced from app settings (client API keys, webhook HMAC secrets).
// RBAC only, soft delete and purge protection on: a deleted vault or key stays recoverable for
// softDeleteRetentionInDays and its name stays reserved for that long.

param name string
param location string
param tags object

@description('Closed network: public network access off; reached through a private endpoint (modules/network.bicep).')
param privateNetworking bool = false

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Name of the EC P-256 key that signs access tokens (ES256).')
param tokenSigningKeyName string = 'token-signing'

@description('Name of the RSA key that wraps the data keys of envelope-encrypted personal data.')
param dataEncryptionKeyName string = 'data-encryption'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
    }
  }

  // ARM creates the first version only; redeploying never rotates or replaces an existing key.
  resource tokenSigningKey 'keys' = {
    name: tokenSigningKeyName
    properties: {
      kty: 'EC'
      curveName: 'P-256'
      keyOps: [
        'sign'
        'verify'
      ]
    }
  }

  resource dataEncryptionKey 'keys' = {
    name: dataEncryptionKeyName
    properties: {
      kty: 'RSA'
      keySize: 3072
      keyOps: [
        'wrapKey'
        'unwrapKey'
      ]
    }
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
output tokenSigningKeyName string = vault::tokenSigningKey.name
output dataEncryptionKeyName string = vault::dataEncryptionKey.name

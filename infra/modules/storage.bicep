// Storage for the Functions host, Durable Functions (Azure Storage task hub: blobs, queues, tables),
// the application's own tables/blobs/queues and the Flex Consumption deployment package.
// Entra ID only: shared-key access is disabled, so every caller uses a managed identity or a user.

param name string
param location string
param tags object

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Days a certificate status job (container certificate-status-jobs) is kept after its last change.')
@minValue(1)
@maxValue(365)
param statusJobRetentionDays int = 7

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
@description('Redundancy: Standard_LRS for development; Standard_ZRS (one region, three zones) or Standard_GZRS (and a paired region) in production.')
param skuName string = 'Standard_LRS'

@description('Days a deleted or overwritten blob (receipts, mailbox, applications, table backups) can be restored: soft delete of blobs and containers, and the age at which previous versions are deleted.')
@minValue(1)
@maxValue(365)
param blobRecoveryDays int = 30

@description('Days a nightly table export (container table-backups) is kept.')
@minValue(1)
@maxValue(3650)
param tableBackupRetentionDays int = 35

@description('Closed network: no public endpoint; the app reaches the account through private endpoints (modules/network.bicep).')
param privateNetworking bool = false

@description('With privateNetworking, public addresses (CIDR) still allowed in, e.g. the machine that runs azd deploy; empty = none.')
param allowedIpRanges string[] = []

// Public network access stays on only for listed addresses, and then only for them.
var publicAccess = !privateNetworking ? 'Enabled' : (empty(allowedIpRanges) ? 'Disabled' : 'Enabled')

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      ipRules: [for range in (privateNetworking ? allowedIpRanges : []): { value: range, action: 'Allow' }]
    }
  }

  // Records (signature receipts, mailbox, applications, table exports) survive a mistaken delete or
  // overwrite: deleted blobs and containers are kept for blobRecoveryDays, and every overwrite keeps
  // the previous version (deleted by the lifecycle rule below after blobRecoveryDays).
  resource blobServices 'blobServices' = {
    name: 'default'
    properties: {
      isVersioningEnabled: true
      deleteRetentionPolicy: {
        enabled: true
        days: blobRecoveryDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: blobRecoveryDays
      }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    // Nightly exports of the application's tables (ExportTables timer, docs/operations.md).
    resource tableBackupContainer 'containers' = {
      name: 'table-backups'
      properties: {
        publicAccess: 'None'
      }
    }
  }

  // Status jobs hold uploaded certificates until checked and their results afterwards: delete them
  // after the retention period (the app reads a deleted job as 404 status_job_not_found).
  resource managementPolicies 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'certificate-status-jobs-retention'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  'certificate-status-jobs/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: statusJobRetentionDays
                  }
                }
                version: {
                  delete: {
                    daysAfterCreationGreaterThan: statusJobRetentionDays
                  }
                }
              }
            }
          }
          {
            name: 'table-backups-retention'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  'table-backups/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: tableBackupRetentionDays
                  }
                }
              }
            }
          }
          {
            name: 'previous-versions'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
              }
              actions: {
                version: {
                  delete: {
                    daysAfterCreationGreaterThan: blobRecoveryDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }

  resource queueServices 'queueServices' = {
    name: 'default'
  }

  resource tableServices 'tableServices' = {
    name: 'default'
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table

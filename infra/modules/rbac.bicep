// Data-plane role assignments for the app's identity and for the deploying user (so that a
// developer can inspect tables/queues, manage Key Vault secrets and peek at topics with Entra ID).
// Built-in role ids are fixed across tenants; tests/ServerlessMyKey.Infra.Tests checks each one.

param storageAccountName string
param keyVaultName string
param serviceBusNamespaceName string
param applicationInsightsName string

@description('Principal id of the Function App\'s user-assigned identity.')
param appPrincipalId string

@description('Object id of the deploying user or service principal; empty to skip its assignments.')
param userPrincipalId string

var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var keyVaultCryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultAdministrator = '00482a5a-887f-4fb3-b363-3b7fe8e74483'
var azureServiceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var azureServiceBusDataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

// Host storage needs blob owner (leases, deployment package), queue and table contributor (Durable
// Functions task hub, queue triggers, the app's tables).
var storageRoles = [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]

var app = { principalId: appPrincipalId, principalType: 'ServicePrincipal' }
// No principalType for the deployer (Azure looks it up): it is a user under `azd up` but a service
// principal in a pipeline, and a wrong type fails the assignment.
var users = empty(userPrincipalId) ? [] : [{ principalId: userPrincipalId }]

// Each assignment: { principal: { principalId, principalType? }, roleId }.
var storageAssignments = concat(
  map(storageRoles, role => { principal: app, roleId: role }),
  flatten(map(users, user => map(storageRoles, role => { principal: user, roleId: role })))
)
var keyVaultAssignments = concat(
  map([keyVaultCryptoUser, keyVaultSecretsUser], role => { principal: app, roleId: role }),
  map(users, user => { principal: user, roleId: keyVaultAdministrator })
)
var serviceBusAssignments = concat(
  [{ principal: app, roleId: azureServiceBusDataSender }],
  map(users, user => { principal: user, roleId: azureServiceBusDataOwner })
)
var applicationInsightsAssignments = [{ principal: app, roleId: monitoringMetricsPublisher }]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in storageAssignments: {
    name: guid(storage.id, a.principal.principalId, a.roleId)
    scope: storage
    properties: union(a.principal, { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId) })
  }
]

resource keyVaultRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in keyVaultAssignments: {
    name: guid(keyVault.id, a.principal.principalId, a.roleId)
    scope: keyVault
    properties: union(a.principal, { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId) })
  }
]

resource serviceBusRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in serviceBusAssignments: {
    name: guid(serviceBus.id, a.principal.principalId, a.roleId)
    scope: serviceBus
    properties: union(a.principal, { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId) })
  }
]

resource applicationInsightsRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in applicationInsightsAssignments: {
    name: guid(applicationInsights.id, a.principal.principalId, a.roleId)
    scope: applicationInsights
    properties: union(a.principal, { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId) })
  }
]

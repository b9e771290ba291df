// ServerlessMyKey on Azure: `azd up` provisions this, then deploys ./functions as service "api".
// Layout follows the functions-quickstart-dotnet-azd template, with resources declared directly
// (no registry modules) so that the templates build offline.

targetScope = 'subscription'

import { serviceClient, webhookSource } from 'modules/types.bicep'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must offer Flex Consumption.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user or service principal (azd sets AZURE_PRINCIPAL_ID); empty for none.')
param principalId string = ''

@description('Resource group name; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Delegation recipient ids: each gets a Service Bus topic and a Delegation__Recipients__<id>__Topic setting.')
param delegationRecipients string[] = []

@description('Service clients whose API keys are Key Vault secrets (created by the operator).')
param serviceClients serviceClient[] = []

@description('Webhook sources whose HMAC secrets are Key Vault secrets (created by the operator).')
param webhookSources webhookSource[] = []

@description('Extra app settings for this deployment, e.g. Jpki__TrustAnchors__Signing__0 or Jpki__Revocation__*.')
param additionalAppSettings object = {}

@allowed([
  'Standard'
  'Premium'
])
@description('Service Bus tier; topics need Standard or above.')
param serviceBusSku string = 'Standard'

@description('Origins besides the Static Web App\'s own that may call the API from a browser (exact scheme://host[:port], e.g. a custom domain of the front ends).')
param corsAllowedOrigins string[] = []

@allowed([
  'eastasia'
  'eastus2'
  'centralus'
  'westus2'
  'westeurope'
])
@description('Region of the Static Web App (the front ends); Static Web Apps runs in a few regions only.')
param webLocation string = 'eastasia'

@allowed([
  'Free'
  'Standard'
])
@description('Static Web Apps plan: Free (built-in Entra ID sign-in) or Standard (custom Entra ID registration, SLA).')
param webSku string = 'Free'
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
@description('Storage redundancy: Standard_LRS (default) for development; Standard_ZRS or Standard_GZRS in production (docs/operations.md).')
param storageSku string = 'Standard_LRS'

@description('Closed network: VNet integration, private endpoints and DNS zones for Storage, Key Vault and Service Bus (public access off), a NAT gateway with a static egress IP. Service Bus becomes Premium (private endpoints need it).')
param privateNetworking bool = false

@description('With privateNetworking: public CIDR ranges still allowed into Storage (e.g. the machine that runs azd deploy); empty = none.')
param allowedIpRanges string[] = []

@description('E-mail addresses the alerts notify (action group); empty creates the alerts without a receiver.')
param alertEmails string[] = []

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    skuName: storageSku
    privateNetworking: privateNetworking
    allowedIpRanges: allowedIpRanges
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    privateNetworking: privateNetworking
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    sku: privateNetworking ? 'Premium' : serviceBusSku
    privateNetworking: privateNetworking
    delegationRecipients: delegationRecipients
    topicPrefix: '${abbrs.serviceBusNamespacesTopics}delegation-'
  }
}

// The front ends (web/): azd deploys web/dist as service "web"; their origin may call the API.
module web 'modules/static-web-app.bicep' = {
  name: 'web'
  scope: rg
  params: {
    name: '${abbrs.webStaticSites}${resourceToken}'
    location: webLocation
    tags: tags
    serviceName: 'web'
    sku: webSku
  }
}

module api 'modules/function-app.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    keyVaultUri: keyVault.outputs.uri
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    delegationTopics: serviceBus.outputs.delegationTopics
    serviceClients: serviceClients
    webhookSources: webhookSources
    additionalAppSettings: additionalAppSettings
    corsAllowedOrigins: union([web.outputs.uri], corsAllowedOrigins)
    virtualNetworkSubnetId: privateNetworking ? network!.outputs.appSubnetId : ''
  }
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-${resourceToken}' // CAF prefix of virtual networks
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: resourceToken
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    alertEmails: alertEmails
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output AZURE_FUNCTION_URI string = 'https://${api.outputs.defaultHostName}'
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
output SERVICE_WEB_NAME string = web.outputs.name
output SERVICE_WEB_URI string = web.outputs.uri
output AZURE_STATIC_WEB_APP_NAME string = web.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_KEY_VAULT_TOKEN_SIGNING_KEY string = keyVault.outputs.tokenSigningKeyName
output AZURE_KEY_VAULT_DATA_ENCRYPTION_KEY string = keyVault.outputs.dataEncryptionKeyName
output AZURE_SERVICEBUS_NAME string = serviceBus.outputs.name
output AZURE_SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_EGRESS_IP_ADDRESS string = privateNetworking ? network!.outputs.egressIpAddress : ''

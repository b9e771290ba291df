// Service Bus for outbound integration messages: one topic per delegation recipient (electronic
// delegation transmissions). Topics need the Standard tier. Entra ID only (local SAS auth disabled).

param name string
param location string
param tags object

@description('Closed network: public network access off; reached through a private endpoint (modules/network.bicep).')
param privateNetworking bool = false

@allowed([
  'Standard'
  'Premium'
])
param sku string = 'Standard'

@description('Delegation recipient ids; each gets a topic named <topicPrefix><id>.')
param delegationRecipients string[]

param topicPrefix string

@description('Subscription created on each recipient topic so that messages are kept until the recipient reads them.')
param recipientSubscriptionName string = 'recipient'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
  }
}

resource topics 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = [
  for recipient in delegationRecipients: {
    parent: namespace
    name: '${topicPrefix}${recipient}'
    properties: {
      // Transmissions carry a natural message id, so a retried send is dropped as a duplicate.
      requiresDuplicateDetection: true
      defaultMessageTimeToLive: 'P14D'
    }
  }
]

resource recipientSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for (recipient, i) in delegationRecipients: {
    parent: topics[i]
    name: recipientSubscriptionName
    properties: {
      maxDeliveryCount: 10
      deadLetteringOnMessageExpiration: true
    }
  }
]

output name string = namespace.name
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

@description('Delegation recipient id → topic name.')
output delegationTopics object = toObject(delegationRecipients, recipient => recipient, recipient => '${topicPrefix}${recipient}')

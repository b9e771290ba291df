// The closed-network option (main.bicep `privateNetworking`): a virtual network whose `app` subnet
// carries the Function App's outbound traffic (VNet integration, Flex Consumption delegates the
// subnet to Microsoft.App/environments) through a NAT gateway with one static public IP, the address
// to register with J-LIS (OCSP) or the platform operator; and private endpoints, with their private
// DNS zones linked to the network, for Storage (blob, queue, table), Key Vault and Service Bus, whose
// public network access main.bicep turns off. LGWAN or 特定通信 connections reach the network by
// peering or a VPN gateway the municipality's vendor adds (docs/operations.md).

param name string
param location string
param tags object

@description('Address space of the virtual network.')
param addressPrefix string = '10.40.0.0/16'

@description('Subnet the Function App integrates with (outbound).')
param appSubnetPrefix string = '10.40.1.0/24'

@description('Subnet that holds the private endpoints.')
param privateEndpointSubnetPrefix string = '10.40.2.0/24'

param storageAccountName string
param keyVaultName string
param serviceBusNamespaceName string

// Private DNS zone names of the public cloud (azure.com / azure.net suffixes of each service).
var privateZones = [
  { service: 'blob', zone: 'privatelink.blob.${environment().suffixes.storage}', groupId: 'blob', target: 'storage' }
  { service: 'queue', zone: 'privatelink.queue.${environment().suffixes.storage}', groupId: 'queue', target: 'storage' }
  { service: 'table', zone: 'privatelink.table.${environment().suffixes.storage}', groupId: 'table', target: 'storage' }
  { service: 'vault', zone: 'privatelink.vaultcore.azure.net', groupId: 'vault', target: 'keyVault' }
  { service: 'servicebus', zone: 'privatelink.servicebus.windows.net', groupId: 'namespace', target: 'serviceBus' }
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

var targets = {
  storage: storage.id
  keyVault: vault.id
  serviceBus: serviceBus.id
}

resource egressIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: 'pip-${name}-egress'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-05-01' = {
  name: 'ng-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: egressIp.id
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          natGateway: {
            id: natGateway.id
          }
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2020-06-01' = [
  for z in privateZones: {
    name: z.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = [
  for (z, i) in privateZones: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for z in privateZones: {
    name: 'pe-${name}-${z.service}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet.properties.subnets[1].id
      }
      privateLinkServiceConnections: [
        {
          name: 'pe-${name}-${z.service}'
          properties: {
            privateLinkServiceId: targets[z.target]
            groupIds: [
              z.groupId
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (z, i) in privateZones: {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(z.zone, '.', '-')
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]

output appSubnetId string = vnet.properties.subnets[0].id
output egressIpAddress string = egressIp.properties.ipAddress

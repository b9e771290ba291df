// The closed-network deployment for production (docs/operations.md): zone-redundant storage,
// private endpoints, a static egress address, alerts by e-mail. Built by infra/build.sh.
using '../main.bicep'

param environmentName = 'variant-private'
param location = 'japaneast'
param storageSku = 'Standard_GZRS'
param privateNetworking = true
param alertEmails = [
  'operations@example.jp'
]

// The default deployment (public endpoints), as `azd up` provisions it; built by infra/build.sh.
using '../main.bicep'

param environmentName = 'variant-public'
param location = 'japaneast'
param storageSku = 'Standard_LRS'
param privateNetworking = false

// Azure Static Web Apps hosting the front ends (web/): the citizen portal and the municipality
// console. azd deploys the `web` service (web/dist) here; the pages call the Function App's API
// across origins (CORS on the Function App lists this site's origin). Staff sign in with Entra ID
// (web/public/staticwebapp.config.json puts /console behind the municipality_staff role).

param name string

@description('Static Web Apps runs in a few regions only; East Asia is the nearest to Japan.')
@allowed([
  'eastasia'
  'eastus2'
  'centralus'
  'westus2'
  'westeurope'
])
param location string

param tags object

@description('Value of the azd-service-name tag: azd deploys the service of that name here.')
param serviceName string

@description('Free serves the portal and the console with the built-in Entra ID provider; Standard adds a custom Entra ID registration (one tenant) and an SLA.')
@allowed([
  'Free'
  'Standard'
])
param sku string

resource site 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  sku: {
    name: sku
    tier: sku
  }
  properties: {
    // azd uploads the built files; no repository is linked and no build runs in Azure.
    provider: 'None'
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

output name string = site.name
output defaultHostname string = site.properties.defaultHostname
output uri string = 'https://${site.properties.defaultHostname}'

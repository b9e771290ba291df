// Alerts and the operations workbook. Log alerts query Application Insights (the app's OpenTelemetry
// logs land in `traces` with their template values in customDimensions, HTTP calls in `requests`);
// Key Vault throttling is a platform metric. Every alert notifies the action group (e-mail).
// What each alert means and what to do is in docs/operations.md (same names).

param location string
param tags object

@description('Prefix of the alert and action group names.')
param namePrefix string

param applicationInsightsName string
param keyVaultName string

@description('Addresses the action group e-mails; empty creates the alerts with no receiver.')
param alertEmails string[] = []

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'mykey-ops'
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmails: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// Log alerts: name, severity (0 critical … 4 verbose), how often and over what window, the query
// (a row = a reason to alert). The fields are the app's log template values: RevocationStatus and PoisonQueue
// come from the ReportOperationalState timer, "refused with {Code}" from every HTTP function.
var logAlerts = [
  {
    name: 'revocation-stale'
    description: 'A revocation source is stale or unavailable: logins and signature checks of its certificates fail closed (revocation_unavailable) now.'
    severity: 0
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'traces | where tostring(customDimensions.RevocationStatus) in ("stale", "unavailable")'
  }
  {
    name: 'revocation-stale-soon'
    description: 'A CRL reaches its nextUpdate within Jpki:Revocation:StaleWarningHours and no newer one is loaded: check the daily CRL upload.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT30M'
    query: 'traces | where tostring(customDimensions.RevocationStatus) == "stale_soon"'
  }
  {
    name: 'crl-refresh-failed'
    description: 'A CRL source could not be read or parsed; its last good CRL stays in use until stale.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT30M'
    query: 'traces | where message startswith "CRL " and message has "is not usable"'
  }
  {
    name: 'http-5xx-rate'
    description: 'More than 5 % of HTTP requests answered 5xx over 15 minutes (at least 20 requests).'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'requests | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total >= 20 and failed * 100.0 / total > 5'
  }
  {
    name: 'dependency-unavailable'
    description: 'Requests refused with 503 dependency_unavailable or storage_unavailable.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'traces | where tostring(customDimensions.Code) in ("dependency_unavailable", "storage_unavailable") | summarize refused = count() | where refused >= 5'
  }
  {
    name: 'poison-queue'
    description: 'A -poison queue holds messages: work that failed every delivery waits to be re-driven.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT30M'
    query: 'traces | where isnotempty(customDimensions.PoisonQueue) | where toint(customDimensions.MessageCount) > 0'
  }
  {
    name: 'orchestration-failed'
    description: 'A Durable orchestration (delegation transmission, delegator notification) failed.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT30M'
    query: 'traces | where tostring(customDimensions.Category) startswith "Host.Triggers.DurableTask" or tostring(customDimensions.Category) startswith "DurableTask" | where message has "failed" and message has "orchestrat"'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for alert in logAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    properties: {
      displayName: '${namePrefix}: ${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsights.id
      ]
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

// Key Vault answers 429 when the app signs or unwraps faster than the vault's limits.
resource keyVaultThrottling 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-key-vault-throttling'
  location: 'global'
  tags: tags
  properties: {
    description: 'Key Vault answered 429 (throttled): token signing and data-key unwrapping slow down or fail.'
    severity: 1
    enabled: true
    scopes: [
      vault.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'throttled'
          metricNamespace: 'Microsoft.KeyVault/vaults'
          metricName: 'ServiceApiResult'
          dimensions: [
            {
              name: 'StatusCode'
              operator: 'Include'
              values: [
                '429'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// The product's own views, each a query over the same telemetry as the alerts.
var workbookQueries = [
  {
    title: 'Logins per minute'
    query: 'requests | where name == "CreateSession" | summarize logins = countif(toint(resultCode) < 300) by bin(timestamp, 1m) | render timechart'
  }
  {
    title: 'Refusal codes'
    query: 'traces | where message has "refused with" | summarize count() by code = tostring(customDimensions.Code), bin(timestamp, 15m) | render barchart'
  }
  {
    title: 'Revocation freshness'
    query: 'traces | where isnotempty(customDimensions.RevocationStatus) | summarize arg_max(timestamp, *) by source = tostring(customDimensions.RevocationSource) | project source, status = tostring(customDimensions.RevocationStatus), nextUpdate = tostring(customDimensions.NextUpdate), timestamp'
  }
  {
    title: 'Certificate status jobs'
    query: 'requests | where name in ("CreateCertificateStatusJob", "PutCertificateStatusJobPart", "GetCertificateStatusJob") | summarize count() by name, resultCode, bin(timestamp, 1h) | render columnchart'
  }
  {
    title: 'Delegation transmissions'
    query: 'requests | where name in ("StartDelegationTransmission", "AcknowledgeDelegationTransmission", "GetDelegationTransmission") | summarize count() by name, resultCode, bin(timestamp, 1h) | render columnchart'
  }
  {
    title: 'Alert fan-out'
    query: 'traces | where message has "fan-out" or message has "alert" | summarize count() by bin(timestamp, 15m) | render timechart'
  }
  {
    title: 'Poison queues'
    query: 'traces | where isnotempty(customDimensions.PoisonQueue) | summarize arg_max(timestamp, *) by queue = tostring(customDimensions.PoisonQueue) | project queue, messages = toint(customDimensions.MessageCount), timestamp'
  }
]

var workbookItems = [
  for (q, i) in workbookQueries: {
    type: 3
    name: 'query-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: q.title
      query: q.query
      size: 0
      timeContext: {
        durationMs: 86400000
      }
      queryType: 0
      resourceType: 'microsoft.insights/components'
    }
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: workbookItems
  fallbackResourceIds: [
    applicationInsights.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, namePrefix, 'operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'ServerlessMyKey operations (${namePrefix})'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(workbookContent)
  }
}

output actionGroupId string = actionGroup.id
output logAlertNames string[] = [for (alert, i) in logAlerts: logAlertRules[i].name]

// The Event Grid namespace with its MQTT broker. Declared in a module because it is written twice: first without
// routing (the route's namespace topic does not exist yet), then with routing once the topic and its Event Hubs
// subscription exist (main.bicep).

@description('Namespace name (3-50 letters, digits and hyphens).')
param name string

param location string

@description('Throughput units: 1,000 inbound messages/s and 1 MB/s each, 10,000 sessions and 10,000 retained messages each.')
param throughputUnits int

@description('The longest an offline device session is kept (Event Grid allows at most 8 hours).')
@minValue(1)
@maxValue(8)
param sessionExpiryHours int

@description('Namespace topic that receives every MQTT message (routing); empty for none.')
param routeTopicId string = ''

param tags object

resource namespace 'Microsoft.EventGrid/namespaces@2025-02-15' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    capacity: throughputUnits
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    minimumTlsVersionAllowed: '1.2'
    publicNetworkAccess: 'Enabled'
    topicSpacesConfiguration: {
      state: 'Enabled'
      maximumSessionExpiryInHours: sessionExpiryHours
      // One session per device: a second connection with the same certificate takes the session over.
      maximumClientSessionsPerAuthenticationName: 1
      // Devices authenticate by X.509: the certificate's subject must equal the client's authentication name (its
      // device id), which the device also sends as its MQTT user name (the GA API has no alternative name source).
      routeTopicResourceId: empty(routeTopicId) ? null : routeTopicId
    }
  }
}

output id string = namespace.id
output principalId string = namespace.identity.principalId
output mqttHostName string = namespace.properties.topicSpacesConfiguration.hostname

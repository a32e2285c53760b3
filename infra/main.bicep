// EdgeTracking's Azure half for one hospital: the MQTT broker (Event Grid namespace) the ward devices publish to, the
// permission model of infra/topic-spaces.json (a device publishes only its own ward's topics and subscribes only to its
// own commands and desired state; BMS readers only subscribe; fleet operators only publish desired state), X.509
// device authentication against the hospital's device CA, routing of every MQTT message to Event Hubs for
// hospital-wide analytics, and a Storage account whose frames container deletes frames after the retention.
// Deploy and register devices: docs/azure.md.

targetScope = 'resourceGroup'

@description('Short name of the hospital, used in resource names (lower-case letters and digits, 3-11).')
@minLength(3)
@maxLength(11)
param hospital string

@description('Azure region.')
param location string = resourceGroup().location

@description('The site every ward device of this hospital is configured with (Ward:Site).')
param site string

@description('The first topic level (Sync:Destinations:N:TopicPrefix of the devices).')
param topicPrefix string = 'edgetracking'

@description('The ward devices: id is the device id and the subject (CN) of its certificate; ward is its Ward:Id.')
param devices array

@description('BMS and dashboard readers (certificate subjects): they read every ward of the hospital and publish nothing.')
param bmsReaders array = []

@description('Fleet operators (certificate subjects): they publish the wards\' desired state and read the wards\' reports.')
param fleetOperators array = []

@description('PEM of the CA that issues the device, BMS and operator certificates (public part only).')
param clientCaCertificatePem string

@description('Event Grid throughput units (see docs/azure.md for sizing: 1,000 messages/s per unit, shared by all wards).')
@minValue(1)
@maxValue(40)
param throughputUnits int = 1

@description('Longest an offline session is kept, hours (Event Grid: at most 8).')
@minValue(1)
@maxValue(8)
param sessionExpiryHours int = 8

@description('Days frames stay in Blob Storage before the lifecycle rule deletes them (privacy: at most 3, the default).')
@minValue(1)
@maxValue(3)
param frameRetentionDays int = 3

@description('Days Event Hubs keeps the routed events for analytics readers.')
@minValue(1)
@maxValue(7)
param eventRetentionDays int = 7

param tags object = {
  application: 'edgetracking'
  hospital: hospital
}

var model = loadJsonContent('topic-spaces.json')
var namespaceName = 'egns-${hospital}-edge'
var routeTopicName = 'mqtt-routed'
var eventHubNamespaceName = 'evhns-${hospital}-edge'
var eventHubName = 'ward-events'
var storageName = 'st${hospital}frames'
var framesContainer = 'frames'
// Azure Event Hubs Data Sender (built-in role).
var eventHubsDataSender = '2b629674-e913-4c01-ae53-ef4638d8f975'

// Placeholders of topic-spaces.json: the prefix is fixed per deployment; site and ward are the client's own attributes.
func template(t string, prefix string) string => replace(replace(replace(t, '{prefix}', prefix), '{site}', '\${client.attributes.site}'), '{ward}', '\${client.attributes.ward}')

module broker 'modules/namespace.bicep' = {
  name: 'edge-broker'
  params: {
    name: namespaceName
    location: location
    throughputUnits: throughputUnits
    sessionExpiryHours: sessionExpiryHours
    tags: tags
  }
}

resource namespace 'Microsoft.EventGrid/namespaces@2025-02-15' existing = {
  name: namespaceName
  dependsOn: [
    broker
  ]
}

resource clientCa 'Microsoft.EventGrid/namespaces/caCertificates@2025-02-15' = {
  parent: namespace
  name: 'hospital-client-ca'
  properties: {
    description: 'Issues the certificates of ward devices, BMS readers and fleet operators'
    // The certificate's base64 body, without the PEM armour and line breaks.
    encodedCertificate: replace(replace(replace(replace(clientCaCertificatePem, '-----BEGIN CERTIFICATE-----', ''), '-----END CERTIFICATE-----', ''), '\n', ''), '\r', '')
  }
}

resource topicSpaces 'Microsoft.EventGrid/namespaces/topicSpaces@2025-02-15' = [for space in model.topicSpaces: {
  parent: namespace
  name: space.name
  properties: {
    description: space.description
    topicTemplates: map(space.templates, t => template(t, topicPrefix))
  }
}]

resource clientGroups 'Microsoft.EventGrid/namespaces/clientGroups@2025-02-15' = [for group in model.clientGroups: {
  parent: namespace
  name: group.name
  properties: {
    description: group.description
    query: 'attributes.role = \'${group.role}\''
  }
}]

resource permissionBindings 'Microsoft.EventGrid/namespaces/permissionBindings@2025-02-15' = [for p in model.permissions: {
  parent: namespace
  name: '${p.group}-${toLower(p.permission)}-${p.topicSpace}'
  properties: {
    clientGroupName: p.group
    topicSpaceName: p.topicSpace
    permission: p.permission
  }
  dependsOn: [
    clientGroups
    topicSpaces
  ]
}]

// Every client authenticates with a certificate from the hospital's CA whose subject is its name.
var clients = concat(
  map(devices, d => { name: d.id, attributes: { role: 'ward-device', site: site, ward: d.ward } }),
  map(bmsReaders, r => { name: r.id, attributes: { role: 'bms', site: site } }),
  map(fleetOperators, o => { name: o.id, attributes: { role: 'fleet-operator', site: site } }))

resource mqttClients 'Microsoft.EventGrid/namespaces/clients@2025-02-15' = [for c in clients: {
  parent: namespace
  name: c.name
  properties: {
    authenticationName: c.name
    state: 'Enabled'
    clientCertificateAuthentication: {
      validationScheme: 'SubjectMatchesAuthenticationName'
    }
    attributes: c.attributes
  }
  dependsOn: [
    clientCa
  ]
}]

// Routing: every MQTT message goes to a namespace topic, pushed from there to Event Hubs.
resource routeTopic 'Microsoft.EventGrid/namespaces/topics@2025-02-15' = {
  parent: namespace
  name: routeTopicName
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    publisherType: 'Custom'
    eventRetentionInDays: 1
  }
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: eventHubNamespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    minimumTlsVersion: '1.2'
    disableLocalAuth: true
  }
}

resource eventHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: eventHubNamespace
  name: eventHubName
  properties: {
    partitionCount: 4
    messageRetentionInDays: eventRetentionDays
  }
}

resource namespaceSendsToEventHub 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventHub.id, namespaceName, eventHubsDataSender)
  scope: eventHub
  properties: {
    principalId: broker.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSender)
  }
}

resource toEventHub 'Microsoft.EventGrid/namespaces/topics/eventSubscriptions@2025-02-15' = {
  parent: routeTopic
  name: 'to-event-hubs'
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    deliveryConfiguration: {
      deliveryMode: 'Push'
      push: {
        maxDeliveryCount: 10
        eventTimeToLive: 'P1D'
        deliveryWithResourceIdentity: {
          identity: {
            type: 'SystemAssigned'
          }
          destination: {
            endpointType: 'EventHub'
            properties: {
              resourceId: eventHub.id
            }
          }
        }
      }
    }
  }
  dependsOn: [
    namespaceSendsToEventHub
  ]
}

// The namespace again, now routing to the topic (the same module; ARM applies it after the topic and subscription).
module brokerRouting 'modules/namespace.bicep' = {
  name: 'edge-broker-routing'
  params: {
    name: namespaceName
    location: location
    throughputUnits: throughputUnits
    sessionExpiryHours: sessionExpiryHours
    routeTopicId: routeTopic.id
    tags: tags
  }
  dependsOn: [
    toEventHub
  ]
}

// Frames: private, TLS 1.2, no shared-key access from anonymous callers; deleted after the retention.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  tags: tags
  sku: {
    name: 'Standard_ZRS'
  }
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource frames 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: framesContainer
  properties: {
    publicAccess: 'None'
  }
}

resource frameLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-frames-after-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${framesContainer}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: frameRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    frames
  ]
}

@description('Sync:Destinations:N:Host of every ward device (port 8883, Profile EventGrid).')
output mqttHostName string = brokerRouting.outputs.mqttHostName

@description('Sync:Destinations:N:TopicPrefix.')
output topicPrefix string = topicPrefix

@description('Ward:Site of every ward device.')
output site string = site

@description('The Blob endpoint for Sync:Blob (the credential is issued per device, docs/azure.md).')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Sync:Blob:Container.')
output framesContainer string = framesContainer

@description('Sync:Blob:RetainFor is at most this many days (the lifecycle rule deletes after it).')
output frameRetentionDays int = frameRetentionDays

@description('Where hospital-wide analytics read every ward\'s events.')
output eventHub string = '${eventHubNamespace.name}/${eventHub.name}'

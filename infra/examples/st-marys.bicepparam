// One hospital's parameters (an example: copy it per hospital). The CA's PEM is read from the environment when the
// file is compiled, e.g.  EDGE_CLIENT_CA_PEM="$(cat pki/hospital-ca.crt)" az deployment group create ...
using '../main.bicep'

param hospital = 'stmarys'
param site = 'st-marys'
param devices = [
  { id: 'jetson-ward-7', ward: 'ward-7' }
  { id: 'jetson-ward-8', ward: 'ward-8' }
]
param bmsReaders = [
  { id: 'bms-st-marys' }
]
param fleetOperators = [
  { id: 'fleet-ops' }
]
param clientCaCertificatePem = readEnvironmentVariable('EDGE_CLIENT_CA_PEM')
param frameRetentionDays = 3

using System.Security.Cryptography;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Fleet;

/// <summary>The service configuration the fleet's end-to-end tests run: the sample camera, one broker, fleet updates on.</summary>
public static class FleetTestConfig
{
    /// <summary>Writes <c>fleet.pub</c> (the key's public half) and the configuration into <paramref name="dir"/>; returns the configuration's path.</summary>
    public static string Write(string dir, int brokerPort, ECDsa fleetKey, string extraFleetKeys = "")
    {
        File.WriteAllText(Path.Combine(dir, "fleet.pub"), fleetKey.ExportSubjectPublicKeyInfoPem());
        return EventServiceTests.Config(dir, $$"""
            ,
              "Sync": { "Outbox": { "Directory": "{{dir}}/state/outbox" },
                        "Destinations": [ { "Name": "bms", "Port": {{brokerPort}}, "KeepAlive": "00:00:02", "PublishTimeout": "00:00:02",
                                            "ReconnectInitialDelay": "00:00:00.200", "ReconnectMaxDelay": "00:00:01" } ] },
              "Fleet": { "Enabled": true, "PublicKeyFile": "{{dir}}/fleet.pub", "Directory": "{{dir}}/fleet", "AllowHttp": true{{extraFleetKeys}} }
            """);
    }
}

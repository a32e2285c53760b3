using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CloudSync.Fleet;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Tests.CloudSync;
using MQTTnet;

namespace EdgeAgent.Tests.Fleet;

/// <summary>
/// <c>edge-agent fleet publish</c> with a canary, against a real mosquitto. The canary ward is played by a client that
/// answers the desired state with a report, as a device does (the device side itself is FleetUpdateTests).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class FleetRolloutTests
{
    private static async Task<string> SignedFor(string[] wards, long version)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var manifest = new JsonObject
        {
            ["schema"] = DesiredState.SchemaId, ["version"] = version, ["site"] = "st-marys", ["issuedAt"] = "2026-11-29T10:00:00Z",
            ["wards"] = new JsonArray(wards.Select(w => (JsonNode?)w).ToArray()), ["models"] = new JsonArray(),
        };
        string path = Path.Combine(TestAssets.NewTempDirectory(), "signed.json");
        await File.WriteAllTextAsync(path, SignedManifest.Sign(manifest, key));
        return path;
    }

    // A device on ward "ward-a": when its desired state arrives, it reports that version running, or failed.
    private static async Task<IMqttClient> CanaryDevice(int port, long version, bool fails)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var topics = new global::CloudSync.Mqtt.TopicScheme("edgetracking", "st-marys", "ward-a");
        client.ApplicationMessageReceivedAsync += e =>
        {
            string report = fails
                ? $$$"""{"current":6,"pending":null,"lastAccepted":{{{version}}},"failed":{"version":{{{version}}},"reason":"health gate: camera bay3 delivered no frame"}}"""
                : $$"""{"current":{{version}},"pending":null,"lastAccepted":{{version}},"failed":null}""";
            _ = Task.Run(() => client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topics.FleetReported).WithPayload(report).WithRetainFlag().Build()));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("ward-a").Build());
        await client.SubscribeAsync(topics.FleetDesired);
        return client;
    }

    private static async Task<List<string>> RetainedDesired(int port)
    {
        await using var v = new Verifier(port, "edgetracking/+/+/fleet/desired");
        await v.WaitUntilAsync(x => x.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        await Task.Delay(1000);
        return v.Messages.Where(m => m.Retained).Select(m => m.Topic.Split('/')[2]).Distinct().Order().ToList();
    }

    [TestCase(true, TestName = "CanaryFails_RolloutHalted_OtherWardsNeverGetIt")]
    [TestCase(false, TestName = "CanaryRunsIt_RolloutContinuesToEveryWard")]
    public async Task Canary(bool canaryFails)
    {
        using var broker = new Mosquitto();
        using IMqttClient device = await CanaryDevice(broker.Port, 7, canaryFails);
        string signed = await SignedFor(["ward-a", "ward-b", "ward-c", "ward-d"], 7);
        using var cli = new AgentProcess("fleet", "publish", "--host", "127.0.0.1", "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--site", "st-marys", "--wards", "ward-a,ward-b,ward-c,ward-d", "--signed", signed, "--canary", "1", "--halt-failures", "1", "--wait", "20");
        int code = cli.WaitForExit(TimeSpan.FromSeconds(60));
        List<string> reached = await RetainedDesired(broker.Port);
        if (canaryFails)
        {
            Assert.That(code, Is.EqualTo(1), cli.Stdout);
            Assert.That(cli.Stderr, Does.Contain("halted: 1 of 1 canary ward(s) failed"));
            Assert.That(cli.Stdout, Does.Contain("ward-a: failed: health gate"));
            Assert.That(reached, Is.EqualTo(new[] { "ward-a" }), "the rest never received it");
        }
        else
        {
            Assert.That(code, Is.Zero, cli.Stderr);
            Assert.That(cli.Stdout, Does.Contain("canary passed"));
            Assert.That(reached, Is.EqualTo(new[] { "ward-a", "ward-b", "ward-c", "ward-d" }));
        }
        await device.DisconnectAsync(new MqttClientDisconnectOptions());
    }

    [Test]
    public async Task Status_ShowsEveryWardsReportedVersions_AndFailures()
    {
        using var broker = new Mosquitto();
        using (IMqttClient c = new MqttClientFactory().CreateMqttClient())
        {
            await c.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).Build());
            foreach (var (ward, report) in new[]
            {
                ("ward-a", """{"current":7,"desired":7,"pending":null,"lastAccepted":7,"failed":null}"""),
                ("ward-b", """{"current":6,"desired":7,"pending":null,"lastAccepted":7,"failed":{"version":7,"reason":"health gate: camera bay3 delivered no frame"}}"""),
            })
                await c.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(new global::CloudSync.Mqtt.TopicScheme("edgetracking", "st-marys", ward).FleetReported)
                    .WithPayload(report).WithRetainFlag().WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await c.DisconnectAsync(new MqttClientDisconnectOptions());
        }
        using var cli = new AgentProcess("fleet", "status", "--host", "127.0.0.1", "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--wait", "2");
        Assert.That(cli.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, cli.Stderr);
        string[] lines = cli.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Single(l => l.StartsWith("st-marys/ward-a", StringComparison.Ordinal)), Does.Match(@"ward-a\s+7\s+7\s+\s+7"));
        Assert.That(lines.Single(l => l.StartsWith("st-marys/ward-b", StringComparison.Ordinal)), Does.Contain("7: health gate: camera bay3 delivered no frame"));
    }
}

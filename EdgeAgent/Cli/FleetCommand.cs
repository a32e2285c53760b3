using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudSync.Fleet;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Cli;

/// <summary>
/// The operator's side of fleet updates:
/// <c>edge-agent fleet keygen --out DIR</c> (an ECDSA P-256 signing key pair; the public half goes on every device),
/// <c>fleet sign --key FILE --manifest FILE [--out FILE]</c> (checks the manifest as a device would, then signs it),
/// <c>fleet publish --host H [--port P] [--prefix P] --site S --ward W --signed FILE</c> (retained on the ward's
/// <c>…/fleet/desired</c>), and <c>fleet status --host H [--port P] [--prefix P] [--wait SECONDS]</c> (every ward's
/// retained <c>…/fleet/reported</c>).
/// </summary>
public static class FleetCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (args.Length == 0) throw new CliException("fleet: keygen, sign, publish or status");
        var cli = new CliArgs(args[1..], new HashSet<string>());
        switch (args[0])
        {
            case "keygen":
            {
                string dir = cli.Get("out") ?? throw new CliException("--out is required");
                cli.RejectUnknown();
                Directory.CreateDirectory(dir);
                string priv = Path.Combine(dir, "fleet-signing.key"), pub = Path.Combine(dir, "fleet-signing.pub");
                if (File.Exists(priv)) throw new CliException($"{priv} exists: not overwritten");
                using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                File.WriteAllText(priv, key.ExportPkcs8PrivateKeyPem(), new System.Text.UTF8Encoding(false));
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(priv, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.WriteAllText(pub, key.ExportSubjectPublicKeyInfoPem() + "\n");
                Console.WriteLine($"key {SignedManifest.KeyIdOf(key)}: private {priv} (keep offline), public {pub} (install on every device)");
                return ExitCodes.Ok;
            }
            case "sign":
            {
                string keyFile = cli.Get("key") ?? throw new CliException("--key is required");
                string manifestFile = cli.Get("manifest") ?? throw new CliException("--manifest is required");
                string? outFile = cli.Get("out");
                cli.RejectUnknown();
                var manifest = JsonNode.Parse(File.ReadAllText(manifestFile)) as JsonObject ?? throw new CliException($"{manifestFile}: not a JSON object");
                try { DesiredState.Parse(manifest, new FleetPolicy { AllowHttp = true }); }
                catch (FleetRefusal e) { throw new CliException($"{manifestFile}: a device would refuse it: {e.Message}"); }
                using ECDsa key = ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(keyFile));
                string signed = SignedManifest.Sign(manifest, key);
                if (outFile is null) Console.WriteLine(signed);
                else File.WriteAllText(outFile, signed);
                return ExitCodes.Ok;
            }
            case "publish":
            {
                string host = cli.Get("host") ?? throw new CliException("--host is required");
                int port = cli.GetInt("port") ?? 1883;
                string prefix = cli.Get("prefix") ?? "edgetracking";
                string site = cli.Get("site") ?? throw new CliException("--site is required");
                string ward = cli.Get("ward") ?? throw new CliException("--ward is required");
                string signed = File.ReadAllText(cli.Get("signed") ?? throw new CliException("--signed is required"));
                cli.RejectUnknown();
                using IMqttClient client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"fleet-{Guid.NewGuid():N}").Build(), ct);
                string topic = new CloudSync.Mqtt.TopicScheme(prefix, site, ward).FleetDesired;
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(signed).WithRetainFlag()
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
                Console.WriteLine($"published retained on {topic}");
                return ExitCodes.Ok;
            }
            case "status":
            {
                string host = cli.Get("host") ?? throw new CliException("--host is required");
                int port = cli.GetInt("port") ?? 1883;
                string prefix = cli.Get("prefix") ?? "edgetracking";
                int wait = cli.GetInt("wait") ?? 3;
                cli.RejectUnknown();
                var reports = new SortedDictionary<string, string>(StringComparer.Ordinal);
                using IMqttClient client = new MqttClientFactory().CreateMqttClient();
                client.ApplicationMessageReceivedAsync += e =>
                {
                    lock (reports) reports[e.ApplicationMessage.Topic] = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
                    return Task.CompletedTask;
                };
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"fleet-{Guid.NewGuid():N}").Build(), ct);
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{prefix}/+/+/fleet/reported").Build(), ct);
                await Task.Delay(TimeSpan.FromSeconds(wait), ct);
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
                Console.WriteLine($"{"site/ward",-32} {"current",8} {"pending",8} {"accepted",8}  failed");
                lock (reports)
                    foreach (var (topic, json) in reports)
                    {
                        string[] parts = topic.Split('/');
                        using JsonDocument d = JsonDocument.Parse(json);
                        JsonElement r = d.RootElement;
                        string failed = r.TryGetProperty("failed", out JsonElement f) && f.ValueKind == JsonValueKind.Object
                            ? $"{f.GetProperty("version")}: {f.GetProperty("reason").GetString()}" : "";
                        Console.WriteLine($"{parts[1] + "/" + parts[2],-32} {r.GetProperty("current"),8} {r.GetProperty("pending"),8} {r.GetProperty("lastAccepted"),8}  {failed}");
                    }
                return ExitCodes.Ok;
            }
            default:
                throw new CliException($"fleet: unknown command '{args[0]}' (keygen, sign, publish, status)");
        }
    }
}

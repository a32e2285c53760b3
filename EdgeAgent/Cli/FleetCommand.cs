using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudSync.Fleet;
using MQTTnet;
using MQTTnet.Protocol;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// The operator's side of fleet updates:
/// <c>edge-agent fleet keygen --out DIR</c> (an ECDSA P-256 signing key pair; the public half goes on every device),
/// <c>fleet sign --key FILE --manifest FILE [--out FILE]</c> (checks the manifest as a device would, then signs it),
/// <c>fleet publish --host H [--port P] [--prefix P] --site S --ward W|--wards W1,W2,… --signed FILE [--canary N]
/// [--halt-failures K] [--wait SECONDS]</c> (retained on each ward's <c>…/fleet/desired</c>; with a canary, the first N
/// wards first, and the rest only if fewer than K of them failed within the wait), and <c>fleet status --host H [--port P] [--prefix P] [--wait SECONDS]</c> (every ward's
/// retained <c>…/fleet/reported</c>). <c>publish</c> and <c>status</c> reach the broker as a device does: see
/// <see cref="BrokerConnection"/> for <c>--tls</c>, <c>--ca</c>, <c>--cert</c>/<c>--key</c>, <c>--username</c>/<c>--password-file</c>.
/// </summary>
public static class FleetCommand
{
    public static async Task<int> RunAsync(CliArgs cli, CancellationToken ct)
    {
        try
        {
            return await RunCheckedAsync(cli, ct);
        }
        catch (BrokerUnreachableException e)
        {
            Console.Error.WriteLine($"edge-agent: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> RunCheckedAsync(CliArgs cli, CancellationToken ct)
    {
        string action = cli.Positional.Count > 0 ? cli.Positional[0] : throw new CliException("fleet: keygen, sign, publish or status");
        switch (action)
        {
            case "keygen":
            {
                string dir = cli.Get("out") ?? throw new CliException("--out is required");
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
                BrokerConnection broker = BrokerConnection.From(cli);
                string prefix = cli.Get("prefix") ?? "edgetracking";
                string site = cli.Get("site") ?? throw new CliException("--site is required");
                string[] wards = (cli.Get("wards") ?? cli.Get("ward") ?? throw new CliException("--ward or --wards is required")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                string signed = File.ReadAllText(cli.Get("signed") ?? throw new CliException("--signed is required"));
                int canary = cli.GetInt("canary") ?? wards.Length;
                int haltAt = cli.GetInt("halt-failures") ?? 1;
                int wait = cli.GetInt("wait") ?? 600;
                long version = JsonNode.Parse(signed)?["manifest"]?["version"]?.GetValue<long>() ?? throw new CliException("--signed: not a signed manifest");
                var rollout = new FleetRollout(broker, prefix, site);
                var (first, rest) = (wards.Take(Math.Clamp(canary, 1, wards.Length)).ToArray(), wards.Skip(Math.Clamp(canary, 1, wards.Length)).ToArray());
                await rollout.PublishAsync(first, signed, ct);
                Console.WriteLine($"version {version} published to {string.Join(", ", first)}");
                if (rest.Length == 0) return ExitCodes.Ok;
                // The canary: wait until each has reported (running it, or refused/rolled it back), then decide.
                IReadOnlyDictionary<string, string> outcome = await rollout.AwaitOutcomeAsync(first, version, TimeSpan.FromSeconds(wait), ct);
                foreach (var (ward, result) in outcome) Console.WriteLine($"  {ward}: {result}");
                int failures = outcome.Values.Count(r => r != "running");
                if (failures >= haltAt)
                {
                    Console.Error.WriteLine($"edge-agent: rollout of version {version} halted: {failures} of {first.Length} canary ward(s) failed; not published to {string.Join(", ", rest)}");
                    return ExitCodes.Failure;
                }
                await rollout.PublishAsync(rest, signed, ct);
                Console.WriteLine($"canary passed; version {version} published to {string.Join(", ", rest)}");
                return ExitCodes.Ok;
            }
            case "status":
            {
                BrokerConnection broker = BrokerConnection.From(cli);
                string prefix = cli.Get("prefix") ?? "edgetracking";
                int wait = cli.GetInt("wait") ?? 3;
                var reports = new SortedDictionary<string, string>(StringComparer.Ordinal);
                using IMqttClient client = await broker.ConnectAsync(ct);
                client.ApplicationMessageReceivedAsync += e =>
                {
                    lock (reports) reports[e.ApplicationMessage.Topic] = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
                    return Task.CompletedTask;
                };
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{prefix}/+/+/fleet/reported").Build(), ct);
                await Task.Delay(TimeSpan.FromSeconds(wait), ct);
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
                Console.WriteLine($"{"site/ward",-32} {"current",8} {"desired",8} {"pending",8} {"accepted",8}  failed");
                lock (reports)
                    foreach (var (topic, json) in reports)
                    {
                        string[] parts = topic.Split('/');
                        using JsonDocument d = JsonDocument.Parse(json);
                        JsonElement r = d.RootElement;
                        string failed = r.TryGetProperty("failed", out JsonElement f) && f.ValueKind == JsonValueKind.Object
                            ? $"{f.GetProperty("version")}: {f.GetProperty("reason").GetString()}" : "";
                        string desired = r.TryGetProperty("desired", out JsonElement de) ? de.ToString() : "";
                        Console.WriteLine($"{parts[1] + "/" + parts[2],-32} {r.GetProperty("current"),8} {desired,8} {r.GetProperty("pending"),8} {r.GetProperty("lastAccepted"),8}  {failed}");
                    }
                return ExitCodes.Ok;
            }
            default:
                throw new CliException($"fleet: unknown command '{action}' (keygen, sign, publish, status)");
        }
    }
}

/// <summary>Publishes a signed desired state to wards and reads back what they report.</summary>
public sealed class FleetRollout(BrokerConnection broker, string prefix, string site)
{
    public async Task PublishAsync(IEnumerable<string> wards, string signed, CancellationToken ct)
    {
        using IMqttClient client = await broker.ConnectAsync(ct);
        foreach (string ward in wards)
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(new CloudSync.Mqtt.TopicScheme(prefix, site, ward).FleetDesired)
                .WithPayload(signed).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
    }

    /// <summary>Per ward: "running" (current is the version), "failed: reason", or "no report" when the wait ran out.</summary>
    public async Task<IReadOnlyDictionary<string, string>> AwaitOutcomeAsync(IReadOnlyList<string> wards, long version, TimeSpan wait, CancellationToken ct)
    {
        var outcome = new Dictionary<string, string>(StringComparer.Ordinal);
        using IMqttClient client = await broker.ConnectAsync(ct);
        client.ApplicationMessageReceivedAsync += e =>
        {
            string ward = e.ApplicationMessage.Topic.Split('/')[2];
            using JsonDocument d = JsonDocument.Parse(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            JsonElement r = d.RootElement;
            string? result = r.GetProperty("current").GetInt64() == version ? "running"
                : r.TryGetProperty("failed", out JsonElement f) && f.ValueKind == JsonValueKind.Object && f.GetProperty("version").ValueKind == JsonValueKind.Number
                  && f.GetProperty("version").GetInt64() == version ? $"failed: {f.GetProperty("reason").GetString()}" : null;
            if (result is not null) lock (outcome) outcome[ward] = result;
            return Task.CompletedTask;
        };
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (string ward in wards) subscribe = subscribe.WithTopicFilter(new CloudSync.Mqtt.TopicScheme(prefix, site, ward).FleetReported);
        await client.SubscribeAsync(subscribe.Build(), ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < wait)
        {
            lock (outcome) if (outcome.Count == wards.Count) break;
            await Task.Delay(200, ct);
        }
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
        lock (outcome) return wards.ToDictionary(w => w, w => outcome.GetValueOrDefault(w) ?? "no report", StringComparer.Ordinal);
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudSync.Fleet;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Tests.CloudSync;

namespace EdgeAgent.Tests.Fleet;

/// <summary>
/// Fleet updates end to end: the real agent, mosquitto carrying the signed desired state and the reported state, Azurite
/// serving the artifacts. The agent runs under a small supervisor that restarts it on exit 75, as systemd would.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class FleetUpdateTests
{
    private sealed class Supervisor : IDisposable
    {
        private readonly Func<AgentProcess> _start;
        private volatile AgentProcess? _agent;
        private volatile bool _stop;
        private readonly Thread _loop;
        public int Starts;
        public readonly List<int> ExitCodes = [];

        public Supervisor(Func<AgentProcess> start)
        {
            _start = start;
            _loop = new Thread(() =>
            {
                while (!_stop)
                {
                    _agent = _start();
                    Interlocked.Increment(ref Starts);
                    int code = _agent.WaitForExit(TimeSpan.FromMinutes(5));
                    lock (ExitCodes) ExitCodes.Add(code);
                    if (code != 75) break;   // only the fleet's restarts; anything else ends the test's agent
                }
            }) { IsBackground = true };
            _loop.Start();
        }

        public string Stderr => _agent?.Stderr ?? "";

        public void Dispose()
        {
            _stop = true;
            if (_agent is { } a) Process.Start("kill", ["-TERM", a.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            _loop.Join(TimeSpan.FromSeconds(40));
            _agent?.Dispose();
        }
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Test]
    public async Task SignedUpdates_Applied_Refused_RolledBack_AndReported()
    {
        using var broker = new Mosquitto();
        using var azurite = new Azurite();
        var container = new BlobContainerClient(azurite.ConnectionString, "fleet");
        await container.CreateIfNotExistsAsync(PublicAccessType.Blob);
        async Task<JsonObject> Upload(string name, byte[] content, string? model = null)
        {
            await container.GetBlobClient(name).UploadAsync(new BinaryData(content), overwrite: true);
            var a = new JsonObject { ["file"] = name, ["url"] = $"{container.Uri}/{name}", ["sha256"] = Sha(content), ["size"] = content.Length };
            if (model is not null) a["model"] = model;
            return a;
        }

        string dir = TestAssets.NewTempDirectory();
        using ECDsa fleetKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using ECDsa stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string config = FleetTestConfig.Write(dir, broker.Port, fleetKey, $$"""
            , "HealthDeadline": "00:00:08", "ValidationClip": "{{TestAssets.Video}}", "ValidationGroundTruth": "{{TestAssets.GroundTruth}}", "ValidationFrames": 60
            """);
        string baseJson = File.ReadAllText(config);

        await using var verifier = new Verifier(broker.Port);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        string reportedTopic = new global::CloudSync.Mqtt.TopicScheme("edgetracking", "st-marys", "ward-7").FleetReported;
        JsonElement Reported() => JsonDocument.Parse(verifier.Messages.Last(m => m.Topic == reportedTopic).Payload).RootElement;
        bool HasReport(Func<JsonElement, bool> p) => verifier.Messages.Any(m => m.Topic == reportedTopic) && p(Reported());
        async Task Publish(JsonObject manifest, ECDsa key)
        {
            string signed = SignedManifest.Sign(manifest, key);
            using var agent = new AgentProcess("fleet", "publish", "--host", "127.0.0.1", "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--site", "st-marys", "--ward", "ward-7", "--signed", WriteTemp(signed));
            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
        }
        string WriteTemp(string text) { string p = Path.Combine(dir, $"{Guid.NewGuid():N}.json"); File.WriteAllText(p, text); return p; }
        JsonObject Manifest(long version, JsonObject? cfg = null, JsonArray? models = null) => new()
        {
            ["schema"] = DesiredState.SchemaId, ["version"] = version, ["site"] = "st-marys", ["ward"] = "ward-7", ["issuedAt"] = "2026-11-29T10:00:00Z",
            ["config"] = cfg, ["models"] = models ?? [],
        };
        var events = () => EventServiceTests.Events(dir);

        using var supervisor = new Supervisor(() => new AgentProcess("run", "--config", config));
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("current").GetInt64() == 0), TimeSpan.FromSeconds(60), "the agent reports release 0");

        // U1: a manifest signed by a key the device does not trust: refused, reported, nothing changes.
        await Publish(Manifest(2, await Upload("v2.json", Encoding.UTF8.GetBytes(baseJson.Replace("\"plaza\", \"Kind\"", "\"plaza-2\", \"Kind\"")))), stranger);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object), TimeSpan.FromSeconds(30), "the refusal is reported");
        Assert.That(Reported().GetProperty("failed").GetProperty("reason").GetString(), Does.Contain("does not trust"));
        Assert.That(supervisor.Starts, Is.EqualTo(1));

        // A signed configuration update: staged, activated, restarted on, kept after the health gate.
        byte[] v2 = Encoding.UTF8.GetBytes(baseJson.Replace("\"Id\": \"plaza\", \"Kind\"", "\"Id\": \"plaza-2\", \"Kind\""));
        Assert.That(Encoding.UTF8.GetString(v2), Does.Contain("plaza-2"));
        await Publish(Manifest(2, await Upload("v2.json", v2)), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("current").GetInt64() == 2), TimeSpan.FromSeconds(60), "release 2 passes its health gate");
        Assert.That(supervisor.Starts, Is.EqualTo(2), "one restart onto the new release");
        await verifier.WaitUntilAsync(_ => events().Any(e => e.GetProperty("payload").TryGetProperty("zone", out var z) && z.GetString() == "plaza-2"),
            TimeSpan.FromSeconds(30), "the new configuration's zone appears in the events");

        // U5: an older manifest, validly signed, is refused (anti-rollback); so is an artifact whose hash does not match.
        await Publish(Manifest(1, await Upload("v1.json", Encoding.UTF8.GetBytes(baseJson))), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object && r.GetProperty("failed").GetProperty("version").GetInt64() == 1),
            TimeSpan.FromSeconds(30), "the downgrade is refused");
        Assert.That(Reported().GetProperty("failed").GetProperty("reason").GetString(), Does.Contain("anti-rollback"));
        JsonObject bad = await Upload("v3.json", v2);
        bad["sha256"] = new string('0', 64);
        await Publish(Manifest(3, bad), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object && r.GetProperty("failed").GetProperty("version").GetInt64() == 3),
            TimeSpan.FromSeconds(30), "the hash mismatch is refused");
        Assert.That(Reported().GetProperty("failed").GetProperty("reason").GetString(), Does.Contain("sha256"));
        // C1: a validly signed configuration that tries to move where the agent writes is refused too.
        byte[] moved = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(v2).Replace($"\"Directory\": \"{dir}\"", "\"Directory\": \"/tmp/../etc/edge-agent-moved\""));
        Assert.That(Encoding.UTF8.GetString(moved), Does.Contain("edge-agent-moved"));
        await Publish(Manifest(31, await Upload("v31.json", moved)), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object && r.GetProperty("failed").GetProperty("version").GetInt64() == 31),
            TimeSpan.FromSeconds(30), "the configuration moving the agent's files is refused");
        Assert.That(Reported().GetProperty("failed").GetProperty("reason").GetString(), Does.Contain("Output:Directory").And.Contain("cannot move"));
        Assert.That(Reported().GetProperty("current").GetInt64(), Is.EqualTo(2));
        Assert.That(supervisor.Starts, Is.EqualTo(2), "refusals never restart the agent");

        // U4: a configuration that validates but breaks the pipeline (a camera that never connects): rolled back.
        int port = global::EdgeAgent.Tests.Capture.RtspServer.FreePort();
        byte[] v4 = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(v2).Replace($"\"Source\": \"{TestAssets.Video}\"", $"\"Source\": \"rtsp://127.0.0.1:{port}/nothing\""));
        Assert.That(Encoding.UTF8.GetString(v4), Does.Contain("rtsp://"));
        await Publish(Manifest(4, await Upload("v4.json", v4)), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object && r.GetProperty("failed").GetProperty("version").GetInt64() == 4),
            TimeSpan.FromSeconds(90), "release 4 fails its health gate and is rolled back");
        Assert.That(Reported().GetProperty("failed").GetProperty("reason").GetString(), Does.Contain("health gate"));
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("current").GetInt64() == 2 && r.GetProperty("pending").ValueKind == JsonValueKind.Null),
            TimeSpan.FromSeconds(30), "release 2 runs again");

        // A signed model update: the detector file replaced by a new one (same network, new name), applied and reported.
        string modelFile = JsonNode.Parse(File.ReadAllText(Path.Combine(TestAssets.ModelsDirectory, "manifest.json")))!["models"]![0]!["file"]!.GetValue<string>();
        byte[] weights = File.ReadAllBytes(Path.Combine(TestAssets.ModelsDirectory, modelFile));
        await Publish(Manifest(5, models: [await Upload("detector-v5.onnx", weights, model: "yolox-nano-person-humanart")]), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("current").GetInt64() == 5), TimeSpan.FromSeconds(90), "the model update passes its health gate");
        string current = new FileInfo(Path.Combine(dir, "fleet", "current")).LinkTarget!;
        Assert.That(File.Exists(Path.Combine(current, "models", "detector-v5.onnx")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(current, "models", "manifest.json")), Does.Contain("detector-v5.onnx").And.Contain(Sha(weights)));
        Assert.That(File.ReadAllText(Path.Combine(current, "appsettings.json")), Does.Contain("plaza-2"), "a model-only release keeps the running configuration");

        // The replay gate: a model whose weights were zeroed (it loads, it detects nothing) is refused on the device's clip.
        byte[] broken = OnnxSurgery.ZeroLargeInitializers(weights);
        await Publish(Manifest(6, models: [await Upload("detector-v6.onnx", broken, model: "yolox-nano-person-humanart")]), fleetKey);
        await verifier.WaitUntilAsync(_ => HasReport(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object && r.GetProperty("failed").GetProperty("version").GetInt64() == 6),
            TimeSpan.FromSeconds(90), "the worse model is refused by the replay gate");
        Assert.That(Reported().GetProperty("failed").GetProperty("reason").GetString(), Does.Contain("replay gate: MOTA 0.000"));
        Assert.That(Reported().GetProperty("current").GetInt64(), Is.EqualTo(5));
        lock (supervisor.ExitCodes) Assert.That(supervisor.ExitCodes, Is.All.EqualTo(75), supervisor.Stderr);
    }
}

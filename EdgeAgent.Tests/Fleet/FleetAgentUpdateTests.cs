using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudSync.Fleet;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Tests.CloudSync;

namespace EdgeAgent.Tests.Fleet;

/// <summary>
/// A/B agent releases end to end: the service started by systemd/edge-agent-launch (as the unit does), restarted on any
/// exit (Restart=always). A new agent release is unpacked into its release, started by the launcher and kept after its
/// health gate; an agent that cannot even start is rolled back by the launcher after three starts and reported by the
/// previous agent. The "new agents" are small launch scripts around the agent built here (a real published agent is
/// ~150 MB; the mechanics are the same).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class FleetAgentUpdateTests
{
    private static byte[] AgentRelease(string script)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "edge-agent")
            {
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(script)),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            });
        return buffer.ToArray();
    }

    [Test]
    public async Task NewAgent_StartedByTheLauncherAndKept_BrokenAgent_RolledBackByTheLauncher_AndReported()
    {
        using var broker = new Mosquitto();
        using var azurite = new Azurite();
        var container = new BlobContainerClient(azurite.ConnectionString, "fleet");
        await container.CreateIfNotExistsAsync(PublicAccessType.Blob);
        string dir = TestAssets.NewTempDirectory();
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string config = FleetTestConfig.Write(dir, broker.Port, key, ", \"HealthDeadline\": \"00:00:06\"");
        // The packaged agent: the one built here, through a wrapper (the launcher execs a file).
        string builtin = Path.Combine(dir, "builtin-agent");
        File.WriteAllText(builtin, $"#!/bin/sh\nexec dotnet '{TestAssets.AgentDll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(builtin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string> { ["EDGE_AGENT_FLEET"] = $"{dir}/fleet", ["EDGE_AGENT_BUILTIN"] = builtin };
        string launcher = Path.Combine(TestAssets.RepoRoot, "systemd", "edge-agent-launch");

        await using var verifier = new Verifier(broker.Port);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        string reported = new global::CloudSync.Mqtt.TopicScheme("edgetracking", "st-marys", "ward-7").FleetReported;
        bool Report(Func<JsonElement, bool> p) => verifier.Messages.Any(m => m.Topic == reported) && p(JsonDocument.Parse(verifier.Messages.Last(m => m.Topic == reported).Payload).RootElement);
        async Task Publish(long version, byte[] agent)
        {
            string name = $"agent-{version}.tar.gz";
            await container.GetBlobClient(name).UploadAsync(new BinaryData(agent), overwrite: true);
            var manifest = new JsonObject
            {
                ["schema"] = DesiredState.SchemaId, ["version"] = version, ["site"] = "st-marys", ["ward"] = "ward-7", ["issuedAt"] = "2026-11-29T10:00:00Z",
                ["agent"] = new JsonObject { ["file"] = name, ["url"] = $"{container.Uri}/{name}", ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(agent)), ["size"] = agent.Length },
            };
            var rollout = new global::EdgeAgent.Cli.FleetRollout(global::EdgeAgent.Cli.BrokerConnection.Plain("127.0.0.1", broker.Port), "edgetracking", "st-marys");
            await rollout.PublishAsync(["ward-7"], SignedManifest.Sign(manifest, key), CancellationToken.None);
        }

        // Restart=always: the launcher again after any exit, until the test ends.
        var starts = new List<string>();
        using var stop = new CancellationTokenSource();
        var current = (AgentProcess?)null;
        Task supervisor = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var agent = new AgentProcess(launcher, env, "run", "--config", config);
                current = agent;
                lock (starts) starts.Add(agent.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                agent.WaitForExit(TimeSpan.FromMinutes(5));
            }
        });
        try
        {
            await verifier.WaitUntilAsync(_ => Report(r => r.GetProperty("current").GetInt64() == 0), TimeSpan.FromSeconds(60), "the packaged agent reports release 0");

            // A new agent: it marks that it ran (so the test sees which agent the launcher started), then is the agent.
            string ranMarker = Path.Combine(dir, "new-agent-ran");
            await Publish(7, AgentRelease($"#!/bin/sh\ntouch '{ranMarker}'\nexec dotnet '{TestAssets.AgentDll}' \"$@\"\n"));
            await verifier.WaitUntilAsync(_ => Report(r => r.GetProperty("current").GetInt64() == 7), TimeSpan.FromSeconds(90), "the new agent passes its health gate");
            Assert.That(File.Exists(ranMarker), Is.True, "the launcher started the release's own agent");
            Assert.That(File.Exists(Path.Combine(dir, "fleet", "agent-trial")), Is.False, "the trial is over");

            // An agent that cannot start: three starts, then the launcher goes back to release 7's agent, which reports it.
            await Publish(8, AgentRelease("#!/bin/sh\necho 'broken agent' >&2\nexit 1\n"));
            await verifier.WaitUntilAsync(_ => Report(r => r.GetProperty("failed").ValueKind == JsonValueKind.Object && r.GetProperty("failed").GetProperty("version").GetInt64() == 8),
                TimeSpan.FromSeconds(120), "the broken agent is rolled back by the launcher and reported");
            Assert.That(JsonDocument.Parse(verifier.Messages.Last(m => m.Topic == reported).Payload).RootElement.GetProperty("failed").GetProperty("reason").GetString(),
                Does.Contain("the new agent stopped 3 times"));
            Assert.That(new FileInfo(Path.Combine(dir, "fleet", "current")).LinkTarget, Does.EndWith("releases/7"));
        }
        finally
        {
            await stop.CancelAsync();
            if (current is { } a) Process.Start("kill", ["-TERM", a.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await supervisor.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using CloudSync.Storage;
using EdgeAgent.Tests.Capture;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>
/// The outbox and the zone state agree by construction: against the real agent process, a SIGKILL at each step of
/// accepting an exit, and then many SIGKILLs at random moments while people cross zones — every presence is closed
/// exactly once (by its entry's identity), no seq names two events, and nothing accepted is lost.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class CrashConsistencyTests
{
    [TestCase(FailPoints.BeforeReserve)]
    [TestCase(FailPoints.BeforeCommit)]
    [TestCase(FailPoints.AfterCommit)]
    [TestCase(FailPoints.AfterHighWater)]
    [TestCase(FailPoints.AfterAccept)]
    public async Task Agent_KilledAtAStepOfAcceptingAnExit_ThePresenceIsClosedExactlyOnce(string point)
    {
        using var broker = new Mosquitto();
        await using var verifier = new Verifier(broker.Port);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        string dir = TestAssets.NewTempDirectory();
        string config = ZonesConfig(dir, broker.Port);
        using (var agent = new AgentProcess(new Dictionary<string, string> { ["EDGE_FAILPOINT"] = $"{point}@zone.exited" }, "run", "--config", config))
        {
            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(120)), Is.EqualTo(137), "killed by its own SIGKILL");
            Assert.That(agent.Stderr, Does.Contain($"failpoint {point} reached"));
        }
        await RunToCleanStopAsync(config, dir, verifier);
        AssertEveryPresenceClosedOnce(verifier, expectExits: 1);
    }

    [Test]
    public async Task Agent_KilledAtRandomMomentsWhilePeopleCrossZones_EveryPresenceClosedOnceNothingLost()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("EDGE_TEST_KILLS"), out int k) ? k : 60;
        using var broker = new Mosquitto();
        await using var verifier = new Verifier(broker.Port);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        string dir = TestAssets.NewTempDirectory();
        string config = ZonesConfig(dir, broker.Port);
        var random = new Random(2026);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < kills; i++)
        {
            int before = Lines(dir);
            using var agent = new AgentProcess("run", "--config", config);
            // From the first accepted batch (the restart closures) to well into the video: entries, exits, occupancy.
            var started = Stopwatch.StartNew();
            while (Lines(dir) == before && started.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(20);
            Thread.Sleep(random.Next(0, 2500));
            Process.Start("kill", ["-KILL", agent.Pid.ToString()])!.WaitForExit();
            agent.WaitForExit(TimeSpan.FromSeconds(10));
        }
        TestContext.Out.WriteLine($"{kills} SIGKILLs in {clock.Elapsed.TotalSeconds:F0} s");
        await RunToCleanStopAsync(config, dir, verifier);
        AssertEveryPresenceClosedOnce(verifier, expectExits: kills / 4);
    }

    private static int Lines(string dir) => File.Exists(Path.Combine(dir, "events.jsonl")) ? File.ReadAllLines(Path.Combine(dir, "events.jsonl")).Length : 0;

    private static async Task RunToCleanStopAsync(string config, string dir, Verifier verifier)
    {
        using var agent = new AgentProcess("run", "--config", config);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(dir, "events.jsonl")) || File.ReadAllLines(Path.Combine(dir, "events.jsonl")).Length < 3)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) Assert.Fail($"no events within 60 s: {agent.Stderr}");
            Thread.Sleep(100);
        }
        Thread.Sleep(3000);
        Process.Start("kill", ["-TERM", agent.Pid.ToString()])!.WaitForExit();
        Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
        long last = File.ReadAllLines(Path.Combine(dir, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()).Max();
        await verifier.WaitUntilAsync(v => v.EventArrivals.Keys.Count(s => s <= last) >= last, TimeSpan.FromSeconds(60), $"all {last} accepted events arrive");
    }

    private static void AssertEveryPresenceClosedOnce(Verifier verifier, int expectExits)
    {
        var events = verifier.Messages.Where(m => m.Topic.Contains("/events/", StringComparison.Ordinal))
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone()).ToList();
        string Id(JsonElement e) => e.GetProperty("eventId").GetString()!;
        string Type(JsonElement e) => e.GetProperty("type").GetString()!;
        string Key(JsonElement e, JsonElement at) =>
            $"{e.GetProperty("payload").GetProperty("zone").GetString()}|{e.GetProperty("payload").GetProperty("person").GetString()}|{DateTimeOffset.Parse(at.GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcTicks}";
        Assert.That(events.GroupBy(e => e.GetProperty("seq").GetInt64()).Where(g => g.Select(Id).Distinct().Count() > 1).Select(g => g.Key), Is.Empty, "no seq names two events");
        long last = events.Max(e => e.GetProperty("seq").GetInt64());
        Assert.That(events.Select(e => e.GetProperty("seq").GetInt64()).Distinct().Order(), Is.EqualTo(Enumerable.Range(1, (int)last).Select(i => (long)i)),
            "every accepted event arrived (seq gap-free)");
        var unique = events.DistinctBy(Id).ToList();
        var entries = unique.Where(e => Type(e) == "zone.entered").Select(e => Key(e, e.GetProperty("occurredAt"))).ToList();
        var exits = unique.Where(e => Type(e) == "zone.exited")
            .Select(e => (Key: Key(e, e.GetProperty("payload").GetProperty("enteredAt")), Reason: e.GetProperty("payload").GetProperty("reason").GetString())).ToList();
        var twice = exits.GroupBy(x => x.Key).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Reason))}").ToList();
        TestContext.Out.WriteLine($"{last} events; {entries.Count} entries, {exits.Count} exits ({string.Join(", ", exits.GroupBy(x => x.Reason).Select(g => $"{g.Key} {g.Count()}"))})");
        Assert.That(twice, Is.Empty, "a presence closed twice");
        Assert.That(entries.Distinct().Count(), Is.EqualTo(entries.Count), "an entry reported twice");
        Assert.That(exits.Select(x => x.Key).Order(), Is.EqualTo(entries.Order()), "every entry closed exactly once, every exit by an entry");
        Assert.That(exits, Has.Count.GreaterThanOrEqualTo(expectExits), "the run must have had exits to show anything");
    }

    /// <summary>The three bays of the web tests, with short inertia so people enter and leave often; events to the broker.</summary>
    private static string ZonesConfig(string dir, int brokerPort)
    {
        string path = WebAgent.WriteConfig(dir, $"http://127.0.0.1:{RtspServer.FreePort()}", "");
        string json = File.ReadAllText(path)
            .Replace("\"Sync\": { \"EmbeddedBrokerPort\": 0 }", $$"""
                "Sync": { "Outbox": { "Directory": "{{dir}}/state" },
                          "Destinations": [ { "Name": "bms", "Host": "127.0.0.1", "Port": {{brokerPort}}, "KeepAlive": "00:00:02", "PublishTimeout": "00:00:02",
                                              "ReconnectInitialDelay": "00:00:00.200", "ReconnectMaxDelay": "00:00:01" } ] }
                """, StringComparison.Ordinal)
            .Replace("\"Realtime\": true", "\"Realtime\": false", StringComparison.Ordinal)
            .Replace("\"Zones\": {", "\"Zones\": { \"EnterAfter\": \"00:00:00.200\", \"ExitAfter\": \"00:00:00.600\",", StringComparison.Ordinal)
            .Replace("\"Web\": {", "\"Web\": { \"Enabled\": false,", StringComparison.Ordinal);
        File.WriteAllText(path, json);
        return path;
    }
}

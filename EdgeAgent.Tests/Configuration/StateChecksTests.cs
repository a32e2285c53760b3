using System.Diagnostics;
using EdgeAgent.Configuration;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Tests.CloudSync;

namespace EdgeAgent.Tests.Configuration;

/// <summary>
/// `check` refuses what `run` would fail on — against the real agent process: a state path that is a file, a state
/// directory another agent holds, a broker host that is not a host, a configuration beyond the stated limits — each
/// as one line naming the key, exit 3, no stack trace, and fast.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class StateChecksTests
{
    [Test]
    public void CheckAndRun_OutboxDirectoryIsAFile_RefusedNamingTheKey()
    {
        string dir = TestAssets.NewTempDirectory();
        File.WriteAllText(Path.Combine(dir, "outbox-file"), "not a directory");
        string config = EventServiceTests.Config(dir, $$"""
            ,
              "Sync": { "Outbox": { "Directory": "{{dir}}/outbox-file" }, "Destinations": [ { "Name": "bms", "Host": "127.0.0.1", "Port": 1883 } ] }
            """);
        foreach (string verb in new[] { "check", "run" })
        {
            var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), verb, "--config", config);
            Assert.That(code, Is.EqualTo(ExitCodes.InvalidConfiguration), $"{verb}: {stderr}");
            Assert.That(stderr, Does.Contain("Sync:Outbox:Directory: ").And.Contain("is a file, not a directory"), verb);
            Assert.That(stderr, Does.Not.Contain("   at "), $"{verb}: no stack trace");
        }
        string nested = EventServiceTests.Config(dir, $$"""
            ,
              "Sync": { "Outbox": { "Directory": "{{dir}}/outbox-file/state" }, "Destinations": [ { "Name": "bms", "Host": "127.0.0.1", "Port": 1883 } ] }
            """);
        var (c2, _, e2) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", nested);
        Assert.That(c2, Is.EqualTo(ExitCodes.InvalidConfiguration));
        Assert.That(e2, Does.Contain("(on the way to"));
    }

    [Test]
    public void CheckAndASecondRun_StateDirectoryHeldByARunningAgent_RefusedNamingItsPid()
    {
        string dir = TestAssets.NewTempDirectory();
        string config = OutboxDamageTests.ConfigWith(dir, global::EdgeAgent.Tests.Capture.RtspServer.FreePort());
        using var first = new AgentProcess("run", "--config", config);
        OutboxDamageTests.WaitForEvents(dir, 3, first);
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", config);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidConfiguration), stderr);
        Assert.That(stderr, Does.Contain("Sync:Outbox:Directory: ").And.Contain($"in use by another edge-agent (pid {first.Pid})"));
        var (runCode, _, runErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "run", "--config", config);
        Assert.That(runCode, Is.EqualTo(ExitCodes.InvalidConfiguration), runErr);
        Assert.That(runErr, Does.Contain($"pid {first.Pid}").And.Not.Contain("   at "));
        int before = EventServiceTests.Events(dir).Count;
        Thread.Sleep(1500);
        Assert.That(EventServiceTests.Events(dir).Count, Is.GreaterThan(before), "the first agent runs on, undisturbed");
        Process.Start("kill", ["-TERM", first.Pid.ToString()])!.WaitForExit();
        Assert.That(first.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, first.Stderr);
        var (after, _, afterErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", config);
        Assert.That(after, Is.EqualTo(ExitCodes.Ok), "released when the agent stops: " + afterErr);
    }

    [Test]
    public void Run_ZoneStateFileDamaged_OneLineNamingItMovedAsideAndTheAgentRuns()
    {
        string dir = TestAssets.NewTempDirectory();
        string config = EventServiceTests.Config(dir);   // no destination: the zone state lives in zones.json
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        string zones = Path.Combine(dir, "state", "zones.json");
        File.WriteAllText(zones, "{\"LastSequence\": 41, \"State\": {\"Presences\": [ {\"Zone\": \"pla");   // cut off mid-write by a bad block
        using var agent = new AgentProcess("run", "--config", config);
        OutboxDamageTests.WaitForEvents(dir, 3, agent);
        Process.Start("kill", ["-TERM", agent.Pid.ToString()])!.WaitForExit();
        Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
        string log = agent.Stdout + agent.Stderr;
        Assert.That(log, Does.Contain($"zone state file '{zones}' is damaged").And.Contain("moved aside to"));
        Assert.That(log, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(Directory.GetFiles(Path.Combine(dir, "state"), "zones.json.damaged-*"), Has.Length.EqualTo(1), "kept for the operator");
        Assert.That(File.Exists(zones), Is.True, "a fresh state file is written");
    }

    [TestCase("mqtt://broker.hospital.example", false)]
    [TestCase("broker.hospital.example:8883", false)]
    [TestCase("broker hospital", false)]
    [TestCase("127.1", false)]
    [TestCase("-broker", false)]
    [TestCase("broker.hospital.example", true)]
    [TestCase("10.20.0.7", true)]
    [TestCase("fd00::2", true)]
    [TestCase("localhost", true)]
    public void Validate_DestinationHost_MustBeAHostNameOrAddress(string host, bool valid)
    {
        var settings = new AgentSettings();
        settings.Capture.Cameras.Add(new global::EdgeAgent.Capture.CameraOptions { Id = "a", Source = "rtsp://127.0.0.1:1/x" });
        settings.Sync.Destinations.Add(new global::CloudSync.Mqtt.MqttDestinationOptions { Name = "bms", Host = host, Port = 1883 });
        var problems = SettingsValidator.Validate(settings, requireCameras: true);
        Assert.That(problems.Any(p => p.StartsWith("Sync:Destinations:0:Host:", StringComparison.Ordinal)), Is.EqualTo(!valid), string.Join("; ", problems));
    }

    [Test]
    public void Check_BeyondTheLimits_RefusedInAFractionOfASecondNamingTheLimit()
    {
        string dir = TestAssets.NewTempDirectory();
        string path = Path.Combine(dir, "huge.json");
        string zones = string.Join(",", Enumerable.Range(0, 6000).Select(i => $$"""{ "Id": "z{{i}}", "Kind": "bay", "Polygon": [[{{i}},0],[{{i + 1}},0],[{{i + 1}},1],[{{i}},1]] }"""));
        string points = string.Join(",", Enumerable.Range(0, 150).Select(i => $"[{Math.Cos(i * 0.04):F4},{Math.Sin(i * 0.04):F4}]"));
        File.WriteAllText(path, $$"""
            { "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] },
              "Zones": { "Areas": [ {{zones}} ], "Doors": [], "availability": [] } }
            """);
        var clock = Stopwatch.StartNew();
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", path);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidConfiguration), stderr);
        Assert.That(stderr, Does.Contain($"Zones:Areas: 6000 entries, at most {ConfigurationLimits.MaxZones}"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "bounded: refused before the (quadratic) binder runs");
        File.WriteAllText(path, $$"""
            { "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] },
              "zones": { "areas": [ { "Id": "round", "Kind": "bay", "polygon": [ {{points}} ] } ] } }
            """);
        var (c2, _, e2) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", path);
        Assert.That(c2, Is.EqualTo(ExitCodes.InvalidConfiguration));
        Assert.That(e2, Does.Contain($"Zones:Areas:0:Polygon: 150 points, at most {ConfigurationLimits.MaxPolygonPoints}"), "keys are case-insensitive");
    }

    [Test]
    public void Check_AWardAtTheLimits_PassesWithinSeconds()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "big.json");
        string zones = string.Join(",", Enumerable.Range(0, ConfigurationLimits.MaxZones).Select(i => $$"""{ "Id": "z{{i}}", "Kind": "bay", "Polygon": [[{{i}},0],[{{i + 1}},0],[{{i + 1}},1],[{{i}},1]] }"""));
        File.WriteAllText(path, $$"""{ "Capture": { "Cameras": [ { "Id": "a", "Source": "rtsp://127.0.0.1:1/x" } ] }, "Zones": { "Areas": [ {{zones}} ] } }""");
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", path);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain($"{ConfigurationLimits.MaxZones} zone(s)"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }
}

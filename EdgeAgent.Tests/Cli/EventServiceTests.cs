using System.Diagnostics;
using System.Text.Json;
using EdgeAgent.Evaluation;
using EdgeAgent.Tests.Events;

namespace EdgeAgent.Tests.Cli;

/// <summary>The service writes events and survives a crash without leaving anyone inside a zone forever.</summary>
[Category("Integration")]
[NonParallelizable]
public class EventServiceTests
{
    public static string Config(string dir, string extraSections = "")
    {
        var cal = WardReplay.CalibrationFromGroundTruth(MotFile.Read(TestAssets.GroundTruth, true), 0, 768, columns: 3, rows: 2);
        string image = JsonSerializer.Serialize(cal.ImagePoints), floor = JsonSerializer.Serialize(cal.FloorPoints);
        string path = Path.Combine(dir, "cfg.json");
        File.WriteAllText(path, $$"""
            { "Capture": { "Cameras": [ { "Id": "plaza", "Source": "{{TestAssets.Video}}", "Loop": true, "Realtime": true,
                                          "Calibration": { "ImagePoints": {{image}}, "FloorPoints": {{floor}} } } ] },
              "Detection": { "ModelsDirectory": "{{TestAssets.ModelsDirectory}}", "ExecutionProviders": [ "CPU" ] },
              "Ward": { "Id": "ward-7", "Site": "st-marys", "DeviceId": "jetson-7" },
              "Zones": { "Areas": [ { "Id": "plaza", "Kind": "corridor", "Polygon": [ [-25, -20], [10, -20], [10, 10], [-25, 10] ] } ] },
              "Output": { "Directory": "{{dir}}", "StateDirectory": "{{dir}}/state", "StatusInterval": "00:00:05", "ModelHealthInterval": "00:00:03" }{{extraSections}} }
            """);
        return path;
    }

    public static List<JsonElement> Events(string dir) =>
        File.Exists(Path.Combine(dir, "events.jsonl"))
            ? File.ReadAllLines(Path.Combine(dir, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
            : [];

    [Test]
    public void Run_KilledWhilePeopleAreInside_RestartClosesTheirPresencesAndContinuesTheSequence()
    {
        string dir = TestAssets.NewTempDirectory();
        string config = Config(dir);
        using (var agent = new AgentProcess("run", "--config", config))
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && Events(dir).Count(e => e.GetProperty("type").GetString() == "zone.entered") < 3) Thread.Sleep(200);
            Process.Start("kill", ["-KILL", agent.Pid.ToString()])!.WaitForExit();   // a crash: no shutdown exits
            agent.WaitForExit(TimeSpan.FromSeconds(10));
        }
        var before = Events(dir);
        var entered = before.Where(e => e.GetProperty("type").GetString() == "zone.entered").Select(e => e.GetProperty("payload").GetProperty("person").GetString()).ToHashSet();
        var exited = before.Where(e => e.GetProperty("type").GetString() == "zone.exited").Select(e => e.GetProperty("payload").GetProperty("person").GetString()).ToHashSet();
        var leftOpen = entered.Except(exited).ToHashSet();
        Assert.That(leftOpen, Is.Not.Empty, "people were inside when the agent was killed");
        long lastSeq = before.Max(e => e.GetProperty("seq").GetInt64());

        using (var agent = new AgentProcess("run", "--config", config))
        {
            var clock = Stopwatch.StartNew();
            // Run until someone has entered again, so the graceful stop has a presence to close.
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !Events(dir).Skip(before.Count).Any(e => e.GetProperty("type").GetString() == "zone.entered"))
                Thread.Sleep(200);
            Process.Start("kill", ["-TERM", agent.Pid.ToString()])!.WaitForExit();
            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(20)), Is.Zero, agent.Stderr);
        }
        var after = Events(dir).Skip(before.Count).ToList();
        var restartExits = after.TakeWhile(e => e.GetProperty("type").GetString() == "zone.exited").ToList();
        Assert.That(restartExits.Select(e => e.GetProperty("payload").GetProperty("reason").GetString()), Has.All.EqualTo("restart"));
        Assert.That(restartExits.Select(e => e.GetProperty("payload").GetProperty("person").GetString()), Is.EquivalentTo(leftOpen),
            "the restarted agent closes exactly the presences the crash left open");
        Assert.That(after.Select(e => e.GetProperty("seq").GetInt64()), Is.EqualTo(Enumerable.Range(1, after.Count).Select(i => lastSeq + i)), "the sequence continues without a gap");
        var last = after.Where(e => e.GetProperty("type").GetString() == "zone.exited").Select(e => e.GetProperty("payload").GetProperty("reason").GetString()).ToList();
        Assert.That(last, Does.Contain("shutdown"), "a graceful stop closes the presences itself");
        foreach (string line in File.ReadAllLines(Path.Combine(dir, "events.jsonl")))
            Assert.That(EventSchema.Problems(line), Is.Empty, line);
    }

    [Test]
    public void Roster_BuildFromCsv_WritesHashesOnlyAndReportsBadLinesByNumber()
    {
        string dir = TestAssets.NewTempDirectory();
        string csv = Path.Combine(dir, "staff.csv"), roster = Path.Combine(dir, "roster.json");
        File.WriteAllLines(csv, ["badge,name,role,department", "0100BC614E,Jane Doe,nurse,ward-7", "A1B2C3,John Roe,porter,estates"]);
        var (code, stdout, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(30), "roster", "build", "--csv", csv, "--out", roster);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("2 badges"));
        Assert.That(File.ReadAllText(roster), Does.Not.Contain("0100BC614E").IgnoreCase.And.Not.Contain("Jane").And.Not.Contain("A1B2C3").IgnoreCase);

        File.AppendAllLines(csv, ["not a badge!,Someone,nurse,"]);
        (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(30), "roster", "build", "--csv", csv, "--out", roster);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("line 4").And.Not.Contain("not a badge"), "bad lines are named by number, not by their content");
    }
}

using System.Diagnostics;
using System.Text.Json;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>
/// Damage outside the power-loss model, against the real agent process and its real files: events accepted while the
/// broker is down, SIGKILL, then <c>outbox.log</c> or <c>outbox.db</c> deleted, truncated or overwritten. The agent
/// must start, say which file and how many accepted events were lost (log line, <c>outbox.damaged</c> event, drop
/// count), deliver what survived, and continue numbering above every seq it ever handed out.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class OutboxDamageTests
{
    [TestCase("outbox.log", "delete")]
    [TestCase("outbox.log", "truncate")]
    [TestCase("outbox.log", "overwrite")]
    [TestCase("outbox.db", "delete")]
    [TestCase("outbox.db", "truncate")]
    [TestCase("outbox.db", "overwrite")]
    [TestCase("outbox.hwm", "delete")]
    public async Task Agent_OutboxFileDamagedWhileStopped_LossIsReportedAndNoSeqNamesTwoEvents(string file, string damage)
    {
        string dir = TestAssets.NewTempDirectory();
        int closedPort = RtspServer.FreePort();
        string config = ConfigWith(dir, closedPort, checkpointPages: file == "outbox.db" ? 10 : 1000);   // db cases: pages reach the data file
        using (var agent = new AgentProcess("run", "--config", config))
        {
            WaitForEvents(dir, 25, agent);
            Process.Start("kill", ["-KILL", agent.Pid.ToString()])!.WaitForExit();
            agent.WaitForExit(TimeSpan.FromSeconds(10));
        }
        var firstRun = EventServiceTests.Events(dir);
        long acceptedUpTo = firstRun.Max(e => e.GetProperty("seq").GetInt64());
        Damage(Path.Combine(dir, "state", file), damage);

        using var broker = new Mosquitto();
        await using var verifier = new Verifier(broker.Port);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
        File.WriteAllText(config, File.ReadAllText(config).Replace($"\"Port\": {closedPort}", $"\"Port\": {broker.Port}", StringComparison.Ordinal));
        string stderr;
        using (var agent = new AgentProcess("run", "--config", config))
        {
            WaitForEvents(dir, firstRun.Count + 3, agent);
            await verifier.WaitUntilAsync(v => Received(v).Any(e => e.Seq > acceptedUpTo), TimeSpan.FromSeconds(60), "new events arrive");
            Process.Start("kill", ["-TERM", agent.Pid.ToString()])!.WaitForExit();
            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
            stderr = agent.Stderr + agent.Stdout;
        }
        await Task.Delay(500);
        var received = Received(verifier);
        var allEvents = firstRun.Select(e => (Seq: e.GetProperty("seq").GetInt64(), Id: e.GetProperty("eventId").GetString()!))
            .Concat(EventServiceTests.Events(dir).Select(e => (Seq: e.GetProperty("seq").GetInt64(), Id: e.GetProperty("eventId").GetString()!)))
            .Concat(received.Select(r => (r.Seq, r.Id)));
        Assert.That(allEvents.GroupBy(e => e.Seq).Where(g => g.Select(e => e.Id).Distinct().Count() > 1).Select(g => g.Key), Is.Empty,
            "no seq names two events");
        var delivered = received.Select(r => r.Seq).ToHashSet();
        var missing = firstRun.Select(e => e.GetProperty("seq").GetInt64()).Where(s => !delivered.Contains(s)).ToList();
        var reports = received.Where(r => r.Type == "outbox.damaged").Select(r => r.Payload).ToList();
        TestContext.Out.WriteLine($"{file} {damage}: {firstRun.Count} accepted before (seq ≤ {acceptedUpTo}), {missing.Count} of them not delivered; reports: "
            + string.Join(" | ", reports.Select(p => p.ToString())));
        if (file == "outbox.hwm")
        {
            Assert.That(missing, Is.Empty, "the outbox itself was intact: everything is delivered");
            Assert.That(reports.Single().GetProperty("file").GetString(), Is.EqualTo("outbox.hwm"));
            Assert.That(reports.Single().GetProperty("lost").GetInt64(), Is.Zero);
            return;
        }
        Assert.That(missing, Is.Not.Empty, $"the damage must have cost something, or this test shows nothing ({damage} {file})");
        Assert.That(reports, Has.Count.EqualTo(1), "one outbox.damaged event");
        JsonElement report = reports[0];
        long first = report.GetProperty("firstSeq").GetInt64(), last = report.GetProperty("lastSeq").GetInt64();
        Assert.That(missing, Is.All.InRange(first, last), "every accepted event not delivered is inside the reported loss");
        Assert.That(report.GetProperty("lost").GetInt64(), Is.GreaterThanOrEqualTo(missing.Count));
        Assert.That(report.GetProperty("lost").GetInt64(), Is.LessThanOrEqualTo(missing.Count + 64), "the count is close to what was really lost (events accepted after the events file was written)");
        Assert.That(received.Where(r => r.Type != "outbox.damaged" && !firstRun.Any(e => e.GetProperty("eventId").GetString() == r.Id)).Select(r => r.Seq),
            Is.All.GreaterThan(report.GetProperty("resumedAt").GetInt64() - 1).Or.Empty, "new events are numbered above every seq handed out");
        Assert.That(report.GetProperty("file").GetString(), Is.EqualTo(file), "the damaged file is named");
        Assert.That(stderr, Does.Contain($"Outbox damaged: {Path.Combine(dir, "state", file)}"), "one log line names the file");
        string outboxReport = verifier.Messages.Where(m => m.Topic.EndsWith("/status/outbox", StringComparison.Ordinal)).Select(m => m.Payload).LastOrDefault() ?? "";
        Assert.That(outboxReport, Does.Contain("damaged:unknown"), "the retained outbox report counts the loss");
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void OutboxVerifyAndSalvage_OnTheAgentsRealFiles_TellHealthyFromDamagedAndExportWhatIsReadable()
    {
        string dir = TestAssets.NewTempDirectory();
        string config = ConfigWith(dir, RtspServer.FreePort());
        using (var agent = new AgentProcess("run", "--config", config))
        {
            WaitForEvents(dir, 20, agent);
            var (busy, _, busyErr) = AgentProcess.Run(TimeSpan.FromSeconds(30), "outbox", "verify", "--config", config);
            Assert.That(busy, Is.EqualTo(3), "a running agent's outbox is refused: " + busyErr);
            Assert.That(busyErr, Does.Contain("in use by another edge-agent"));
            Process.Start("kill", ["-KILL", agent.Pid.ToString()])!.WaitForExit();
            agent.WaitForExit(TimeSpan.FromSeconds(10));
        }
        long accepted = EventServiceTests.Events(dir).Max(e => e.GetProperty("seq").GetInt64());
        string state = Path.Combine(dir, "state");
        var (ok, healthy, _) = AgentProcess.Run(TimeSpan.FromSeconds(30), "outbox", "verify", "--config", config);
        Assert.That(ok, Is.Zero, healthy);
        Assert.That(healthy, Does.Contain("verdict: healthy").And.Contain($"last seq handed out {accepted}"));
        byte[] before = File.ReadAllBytes(Path.Combine(state, "outbox.log"));
        Damage(Path.Combine(state, "outbox.log"), "overwrite");
        var (bad, damaged, _) = AgentProcess.Run(TimeSpan.FromSeconds(30), "outbox", "verify", "--dir", state);
        Assert.That(bad, Is.EqualTo(7), damaged);
        Assert.That(damaged, Does.Contain("DAMAGED: behind its high-water mark").And.Contain("verdict: damaged"));
        Assert.That(File.ReadAllBytes(Path.Combine(state, "outbox.log")).Length, Is.EqualTo(before.Length), "verify changes nothing");
        string export = Path.Combine(dir, "salvaged.jsonl");
        var (code, said, err) = AgentProcess.Run(TimeSpan.FromSeconds(30), "outbox", "salvage", "--from", state, "--out", export);
        Assert.That(code, Is.Zero, err);
        var lines = File.ReadAllLines(export).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines.Select(e => e.GetProperty("seq").GetInt64()), Is.Ordered.And.All.LessThanOrEqualTo(accepted));
        Assert.That(said, Does.Contain($"salvaged {lines.Count} event(s)"));
        foreach (JsonElement e in lines) Assert.That(EventSchema.Problems(e.GetRawText()), Is.Empty);
        var (usage, _, usageErr) = AgentProcess.Run(TimeSpan.FromSeconds(30), "outbox", "purge", "--dir", state);
        Assert.That(usage, Is.EqualTo(2), usageErr);
    }

    private static void Damage(string path, string how)
    {
        switch (how)
        {
            case "delete":
                File.Delete(path);
                break;
            case "truncate":
                using (var f = new FileStream(path, FileMode.Open)) f.SetLength(f.Length / 2);
                break;
            default:   // 43 bytes of garbage in the middle (in a database, in the middle of every data page: one spot may fall in a free page)
                using (var f = new FileStream(path, FileMode.Open))
                {
                    byte[] garbage = Enumerable.Range(0, 43).Select(i => (byte)(0xA5 ^ i)).ToArray();
                    IEnumerable<long> spots = path.EndsWith(".db", StringComparison.Ordinal)
                        ? Enumerable.Range(2, Math.Max(1, (int)(f.Length / 8192) - 2)).Select(page => page * 8192L + 4096)
                        : [f.Length / 2];
                    foreach (long spot in spots.Where(s => s + garbage.Length <= f.Length))
                    {
                        f.Position = spot;
                        f.Write(garbage);
                    }
                }
                break;
        }
    }

    internal static string ConfigWith(string dir, int brokerPort, int checkpointPages = 1000) => EventServiceTests.Config(dir, $$"""
        ,
          "Sync": { "Outbox": { "Directory": "{{dir}}/state", "CheckpointPages": {{checkpointPages}} },
                    "Destinations": [ { "Name": "bms", "Host": "127.0.0.1", "Port": {{brokerPort}}, "KeepAlive": "00:00:02", "PublishTimeout": "00:00:02",
                                        "ReconnectInitialDelay": "00:00:00.200", "ReconnectMaxDelay": "00:00:01" } ] }
        """);

    internal static void WaitForEvents(string dir, int count, AgentProcess agent)
    {
        var clock = Stopwatch.StartNew();
        while (EventServiceTests.Events(dir).Count < count)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90)) Assert.Fail($"fewer than {count} events within 90 s; stderr: {agent.Stderr}");
            Thread.Sleep(100);
        }
    }

    internal static List<(long Seq, string Id, string Type, JsonElement Payload)> Received(Verifier v) =>
        v.Messages.Where(m => m.Topic.Contains("/events/", StringComparison.Ordinal)).Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone())
            .Select(e => (e.GetProperty("seq").GetInt64(), e.GetProperty("eventId").GetString()!, e.GetProperty("type").GetString()!, e.GetProperty("payload"))).ToList();
}

using System.Diagnostics;
using EdgeAgent.Events;
using EdgeAgent.Health;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Tracking;
using EdgeAgent.Zones;

namespace EdgeAgent.Tests.Events;

public class ModelHealthTests
{
    private static TrackSnapshot Snap(long seq, float[] scores, params int[] trackIds) => new("bay3", seq, DateTimeOffset.UnixEpoch, 640, 480,
        trackIds.Select(id => new TrackedPerson(id, new BoundingBox(0, 0, 10, 10), 0.9f)).ToList(),
        scores.Select(s => new Detection(new BoundingBox(0, 0, 10, 10), s)).ToList());

    [Test]
    public void Histograms_CountConfidenceDetectionsAndEndedTrackLengths_ThenReset()
    {
        var health = new ModelHealth();
        for (int i = 1; i <= 6; i++) health.Observe(Snap(i, [0.95f, 0.35f], 1, 2));   // two tracks alive for 6 frames
        health.Observe(Snap(7, [0.55f], 2));                                            // track 1 ended after 6 frames
        health.Observe(Snap(8, []));                                                    // track 2 ended after 7 frames
        var camera = health.TakeReport().Single();
        Assert.That(camera.Frames, Is.EqualTo(8));
        Assert.That(camera.Confidence, Is.EqualTo(new long[] { 0, 0, 6, 0, 1, 0, 0, 0, 6 }), "0.35 in (0.3, 0.4], 0.55 in (0.5, 0.6], 0.95 in (0.9, 1]");
        Assert.That(camera.DetectionsPerFrame, Is.EqualTo(new long[] { 1, 1, 6, 0, 0, 0, 0, 0 }));
        Assert.That(camera.TrackLength, Is.EqualTo(new long[] { 0, 2, 0, 0, 0, 0, 0 }), "lengths 6 and 7 fall in (4, 9]");
        EventSchema.AssertAllValid([new EventFactory("dev", "site", "ward").Create(new ModelHealthReport(DateTimeOffset.UnixEpoch, "yolox", TimeSpan.FromMinutes(5), [camera]))]);
        Assert.That(health.TakeReport().Single().Frames, Is.Zero, "counts start again after a report");
    }

    [Test]
    [Category("Integration")]
    public void Service_EmitsModelHealthPeriodically_ValidAgainstTheSchema()
    {
        string dir = TestAssets.NewTempDirectory();
        using var agent = new AgentProcess("run", "--config", EventServiceTests.Config(dir));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !EventServiceTests.Events(dir).Any(e => e.GetProperty("type").GetString() == "model.health")) Thread.Sleep(250);
        Process.Start("kill", ["-TERM", agent.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
        var report = EventServiceTests.Events(dir).First(e => e.GetProperty("type").GetString() == "model.health");
        Assert.That(EventSchema.Problems(report.GetRawText()), Is.Empty);
        var camera = report.GetProperty("payload").GetProperty("cameras")[0];
        Assert.That(camera.GetProperty("frames").GetInt64(), Is.GreaterThan(0));
        Assert.That(camera.GetProperty("confidence").EnumerateArray().Sum(c => c.GetInt64()), Is.GreaterThan(0), "people were detected in the sample video");
    }
}

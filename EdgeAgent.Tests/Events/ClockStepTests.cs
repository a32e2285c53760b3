using System.Text;
using CloudSync.Outbox;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Tests.Events;

/// <summary>RELIABILITY N18: the wall clock stepped ±1 h and +1 day under the event stage and the outbox.</summary>
public class ClockStepTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);

    private static AgentSettings BundledSettings() =>
        SettingsLoader.Bind(SettingsLoader.Build(Path.Combine(TestAssets.RepoRoot, "EdgeAgent", "appsettings.json")));

    [Test]
    public void ClockSteps_FlagsTheFirstEventAfterEachStep_SeqUnbroken_ZoneTimeGoesOnAfterAStepBack()
    {
        var clock = new SteppableClock(T0);
        AgentSettings settings = BundledSettings();
        var stage = new EventStage(settings, new EventFactory("dev", settings.Ward.Site, settings.Ward.Id), clock.GetUtcNow(), mediaTime: false, clock);
        var events = new List<EventEnvelope>(stage.Start(null));
        void Run(TimeSpan duration)
        {
            for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromSeconds(1))
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                events.AddRange(stage.Tick(clock.GetUtcNow()));
            }
        }
        Run(TimeSpan.FromMinutes(3));
        int before = events.Count;
        clock.Step(TimeSpan.FromHours(1));
        Run(TimeSpan.FromMinutes(3));
        int afterForward = events.Count;
        clock.Step(TimeSpan.FromHours(-1));
        Run(TimeSpan.FromMinutes(3));
        int afterBack = events.Count;
        clock.Step(TimeSpan.FromDays(1));
        Run(TimeSpan.FromMinutes(3));

        Assert.That(events.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)), "seq unbroken by the steps");
        Assert.That(events.Where(e => e.ClockStepped == true).Select(e => events.IndexOf(e)).ToArray(), Is.EqualTo(new[] { before, afterForward, afterBack }),
            "exactly the first event after each of the three steps is flagged");
        Assert.That(stage.ClockStepsSeen, Is.EqualTo(3));
        Assert.That(events.Skip(afterForward).Take(afterBack - afterForward).Count(e => e.Type == "zone.occupancy"), Is.GreaterThan(3),
            "after stepping back an hour, periodic occupancy goes on (time does not stand still until the old time is passed)");
        EventSchema.AssertAllValid(events);
    }

    [Test]
    public void Outbox_WallClockStepsADayForward_NothingExpiresEarly_TtlRunsOnElapsedTime()
    {
        var clock = new SteppableClock(T0);
        using var outbox = Outbox.Open(new OutboxOptions { Directory = TestAssets.NewTempDirectory(), PeriodicTimeToLive = TimeSpan.FromHours(24) }, ["bms"], clock);
        for (int i = 0; i < 5; i++) outbox.Append("zone.occupancy", seq => Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"));
        clock.Step(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));   // a day forward on the wall clock, a minute of real time
        clock.Advance(TimeSpan.FromMinutes(1));
        outbox.Cleanup();
        Assert.That(outbox.Stats().Messages, Is.EqualTo(5), "a step of the wall clock expires nothing");
        clock.Step(TimeSpan.FromDays(-2));   // and back two days: nothing kept beyond its time either
        clock.Advance(TimeSpan.FromHours(24));
        outbox.Cleanup();
        Assert.That(outbox.Stats().Messages, Is.Zero);
        Assert.That(outbox.Stats().Dropped, Is.EqualTo(new Dictionary<string, long> { ["ttl:periodic"] = 5 }));
    }
}

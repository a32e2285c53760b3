using EdgeAgent.Events;
using EdgeAgent.Tests.Events;
using EdgeAgent.Zones;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Zones;

/// <summary>
/// A zone no working camera covers is blind, not empty: its occupancy is unknown, its presences are held (and end as
/// <c>camera_down</c> only after <c>Zones:BlindHoldFor</c>), its rules raise <c>coverage.lost</c> instead of an
/// "unstaffed" alert, and when a camera sees it again everything resumes without a false exit.
/// </summary>
public class BlindZoneTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 7, 0, 0, TimeSpan.Zero);
    private const string Nurse = "0123456789abcdef", Visitor = "fedcba9876543210";
    private static readonly Dictionary<string, IReadOnlyList<string>> Bay3Blind = new() { ["bay3"] = ["cam-2"] };
    private static readonly Dictionary<string, IReadOnlyList<string>> NoneBlind = [];

    private static (ZoneEngine Engine, FakeTimeProvider Time) Create(TimeSpan? ruleAfter = null)
    {
        var options = new ZoneOptions
        {
            Areas =
            [
                new ZoneDefinition { Id = "bay3", Kind = "bay", Polygon = [[0, 0], [4, 0], [4, 4], [0, 4]] },
                new ZoneDefinition { Id = "corridor", Kind = "corridor", Polygon = [[0, -3], [10, -3], [10, 0], [0, 0]] },
            ],
            Availability = [new AvailabilityRule { Id = "bay3-staffed", Zone = "bay3", Roles = ["nurse"], After = ruleAfter ?? TimeSpan.FromMinutes(10) }],
            EnterAfter = TimeSpan.FromSeconds(1),
            ExitAfter = TimeSpan.FromSeconds(2),
            BlindHoldFor = TimeSpan.FromMinutes(5),
        };
        var time = new FakeTimeProvider(T0);
        return (new ZoneEngine(FloorPlan.Create(options, [])!, options, time), time);
    }

    private static List<ZoneEvent> Stay(ZoneEngine engine, FakeTimeProvider time, string person, string? role, int seconds, double x = 2, double y = 2)
    {
        var events = new List<ZoneEvent>();
        for (int i = 0; i < seconds * 10; i++)
        {
            events.AddRange(engine.Observe([new FloorPerson(person, x, y, role)]));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
        return events;
    }

    private static List<ZoneEvent> Idle(ZoneEngine engine, FakeTimeProvider time, TimeSpan span)
    {
        var events = new List<ZoneEvent>();
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromSeconds(1))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            events.AddRange(engine.Tick());
        }
        return events;
    }

    private static void AssertValid(IEnumerable<ZoneEvent> events) =>
        EventSchema.AssertAllValid(events.Select(new EventFactory("test-device", "site", "ward").Create));

    [Test]
    public void CameraDown_PresenceHeldOccupancyUnknown_NoExitUntilTheHoldEnds_ThenCameraDownDatedAtTheLastSighting()
    {
        var (engine, time) = Create();
        var seen = Stay(engine, time, Nurse, "nurse", 3);
        Assert.That(seen.OfType<ZoneEntered>().Count(), Is.EqualTo(1));
        DateTimeOffset lastSeen = time.GetUtcNow() - TimeSpan.FromMilliseconds(100);

        var blind = engine.SetBlind(Bay3Blind).ToList();
        var occupancy = blind.OfType<ZoneOccupancy>().Single();
        Assert.That((occupancy.Zone, occupancy.Known, occupancy.Trigger), Is.EqualTo(("bay3", false, "blind")));
        Assert.That(engine.Blind.Keys, Is.EquivalentTo(new[] { "bay3" }));

        var during = Idle(engine, time, TimeSpan.FromMinutes(4));
        Assert.That(during.OfType<ZoneExited>(), Is.Empty, "held while nobody can see the zone: no 'lost' after ExitAfter");
        Assert.That(during.OfType<AvailabilityAlert>(), Is.Empty);
        Assert.That(during.OfType<ZoneOccupancy>().Where(o => o.Zone == "bay3").All(o => !o.Known), Is.True, "a periodic report while blind says unknown");

        var after = Idle(engine, time, TimeSpan.FromMinutes(1.5));
        ZoneExited exit = after.OfType<ZoneExited>().Single();
        Assert.That((exit.Person, exit.Reason, exit.OccurredAt), Is.EqualTo((Nurse, "camera_down", lastSeen)), "dwell not inflated by the outage");
        AssertValid(seen.Concat(blind).Concat(during).Concat(after));
    }

    [Test]
    public void CameraBack_PersonFoundAgainWithinExitAfter_PresenceContinuesWithoutAnExit()
    {
        var (engine, time) = Create();
        Stay(engine, time, Nurse, "nurse", 3);
        engine.SetBlind(Bay3Blind);
        Idle(engine, time, TimeSpan.FromSeconds(90));   // a camera reboot

        var back = engine.SetBlind(NoneBlind).ToList();
        ZoneOccupancy restored = back.OfType<ZoneOccupancy>().Single();
        Assert.That((restored.Known, restored.Trigger, restored.Total), Is.EqualTo((true, "restored", 1)), "the held presence counts again");
        time.Advance(TimeSpan.FromSeconds(1.5));   // the track is found again a moment after the stream returns
        var resumed = Stay(engine, time, Nurse, "nurse", 5).Concat(Idle(engine, time, TimeSpan.FromSeconds(1))).ToList();
        Assert.That(resumed.OfType<ZoneExited>(), Is.Empty, "no false exit");
        Assert.That(resumed.OfType<ZoneEntered>(), Is.Empty, "and no re-entry");
        AssertValid(back.Concat(resumed));
    }

    [Test]
    public void CameraBack_PersonNotFoundAgain_ExitsLostAfterExitAfterFromTheReturn()
    {
        var (engine, time) = Create();
        Stay(engine, time, Visitor, null, 3);
        DateTimeOffset lastSeen = time.GetUtcNow() - TimeSpan.FromMilliseconds(100);
        engine.SetBlind(Bay3Blind);
        Idle(engine, time, TimeSpan.FromSeconds(60));
        engine.SetBlind(NoneBlind);
        var first = Idle(engine, time, TimeSpan.FromSeconds(2));
        Assert.That(first.OfType<ZoneExited>(), Is.Empty, "ExitAfter counts from the camera's return, not from the last sighting");
        ZoneExited exit = Idle(engine, time, TimeSpan.FromSeconds(2)).OfType<ZoneExited>().Single();
        Assert.That((exit.Reason, exit.OccurredAt), Is.EqualTo(("lost", lastSeen)));
    }

    [Test]
    public void RuleOnABlindZone_CoverageLostInsteadOfUnstaffed_AnUnstaffedAlertClearedFirst_RestoredRestartsTheClock()
    {
        var (engine, time) = Create(ruleAfter: TimeSpan.FromSeconds(30));
        var before = Idle(engine, time, TimeSpan.FromSeconds(31));
        Assert.That(before.OfType<AvailabilityAlert>().Count(), Is.EqualTo(1), "no nurse for 30 s while the camera works: unstaffed");

        var blind = engine.SetBlind(Bay3Blind).ToList();
        Assert.That(blind.OfType<AvailabilityCleared>().Single().Reason, Is.EqualTo("coverage_lost"));
        CoverageLost lost = blind.OfType<CoverageLost>().Single();
        Assert.That((lost.Rule, lost.Zone, lost.Cameras.Single()), Is.EqualTo(("bay3-staffed", "bay3", "cam-2")));
        Assert.That(blind.IndexOf(blind.OfType<AvailabilityCleared>().Single()), Is.LessThan(blind.IndexOf(lost)), "cleared, then lost: the retained alert ends as coverage.lost");
        Assert.That(engine.Snapshot().Coverage.Single().Rule, Is.EqualTo("bay3-staffed"), "kept in the state, so a restart closes it");
        Assert.That(engine.Snapshot().Alerts, Is.Empty);

        var during = Idle(engine, time, TimeSpan.FromMinutes(3));
        Assert.That(during.OfType<AvailabilityAlert>(), Is.Empty, "a zone nobody can see is never reported unstaffed");

        time.Advance(TimeSpan.FromSeconds(1));
        var back = engine.SetBlind(NoneBlind).ToList();
        CoverageRestored restored = back.OfType<CoverageRestored>().Single();
        Assert.That((restored.Reason, restored.Blind), Is.EqualTo(("camera_up", TimeSpan.FromSeconds(181))));
        Assert.That(Idle(engine, time, TimeSpan.FromSeconds(29)).OfType<AvailabilityAlert>(), Is.Empty, "the unstaffed time restarts at the return");
        Assert.That(Idle(engine, time, TimeSpan.FromSeconds(2)).OfType<AvailabilityAlert>().Count(), Is.EqualTo(1));
        AssertValid(before.Concat(blind).Concat(during).Concat(back));
    }

    [Test]
    public void RestartWithCoverageLeftOpen_ClosedAsRestart()
    {
        var (engine, time) = Create();
        engine.SetBlind(Bay3Blind);
        ZoneState saved = engine.Snapshot();
        var (next, _) = Create();
        var events = next.Start(saved);
        CoverageRestored closed = events.OfType<CoverageRestored>().Single();
        Assert.That((closed.Rule, closed.Reason), Is.EqualTo(("bay3-staffed", "restart")));
        AssertValid(events);
    }

    [Test]
    public void CleanStop_EveryZoneUnknown_NeverZero()
    {
        var (engine, time) = Create();
        Stay(engine, time, Nurse, "nurse", 3);
        var events = engine.Stop();
        Assert.That(events.OfType<ZoneExited>().Single().Reason, Is.EqualTo("shutdown"));
        var occupancy = events.OfType<ZoneOccupancy>().ToList();
        Assert.That(occupancy.Select(o => o.Zone), Is.EquivalentTo(new[] { "bay3", "corridor" }));
        Assert.That(occupancy.All(o => !o.Known && o.Trigger == "shutdown"), Is.True);
        var envelopes = events.Select(new EventFactory("d", "s", "w").Create).ToList();
        EventSchema.AssertAllValid(envelopes);
        Assert.That(envelopes.Where(e => e.Type == "zone.occupancy").All(e => e.Payload["total"] is null && e.Payload["known"]!.GetValue<bool>() == false), Is.True,
            "the payload says unknown with a null total, not 0");
    }
}

using EdgeAgent.Events;
using EdgeAgent.Tests.Events;
using EdgeAgent.Zones;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Zones;

public class ZoneEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 7, 0, 0, TimeSpan.Zero);
    private const string Nurse = "0123456789abcdef", Visitor = "fedcba9876543210";

    private static ZoneOptions Ward() => new()
    {
        Areas =
        [
            new ZoneDefinition { Id = "bay3", Kind = "bay", Polygon = [[0, 0], [4, 0], [4, 4], [0, 4]] },
            new ZoneDefinition { Id = "corridor", Kind = "corridor", Polygon = [[0, -3], [10, -3], [10, 0], [0, 0]] },
        ],
        // The door of bay 3 on its wall y = 0, from x = 1 to x = 3; inside (the bay, y > 0) is to the left of 1→3.
        Doors = [new DoorDefinition { Id = "bay3-door", Line = [[1, 0], [3, 0]], Inside = DoorSide.Left, Zone = "bay3" }],
        Availability = [new AvailabilityRule { Id = "bay3-staffed", Zone = "bay3", Roles = ["nurse"], After = TimeSpan.FromMinutes(10) }],
        EnterAfter = TimeSpan.FromSeconds(1),
        ExitAfter = TimeSpan.FromSeconds(2),
        OccupancyInterval = TimeSpan.FromSeconds(60),
    };

    private static (ZoneEngine Engine, FakeTimeProvider Time) Create(ZoneOptions? options = null)
    {
        options ??= Ward();
        var problems = new List<string>();
        FloorPlan plan = FloorPlan.Create(options, problems)!;
        Assert.That(problems, Is.Empty);
        var time = new FakeTimeProvider(T0);
        return (new ZoneEngine(plan, options, time), time);
    }

    /// <summary>Walks a person through positions, one observation per step; returns every event.</summary>
    private static List<ZoneEvent> Walk(ZoneEngine engine, FakeTimeProvider time, string person, string? role, TimeSpan step, params (double X, double Y)[] path)
    {
        var events = new List<ZoneEvent>();
        foreach (var (x, y) in path)
        {
            events.AddRange(engine.Observe([new FloorPerson(person, x, y, role)]));
            time.Advance(step);
        }
        EventSchema.AssertAllValid(events.Select(new EventFactory("test-device", "site", "ward").Create));
        return events;
    }

    [Test]
    public void Shift_WallClockSteppedAnHourForward_NobodyLostNoFalseAlert_DwellStaysTrue()
    {
        // RELIABILITY N18: the event stage shifts the engine when it sees the wall clock stepped; FakeTimeProvider moves
        // forward only, so the step is the time jump plus the shift the stage makes.
        var (engine, time) = Create();
        Walk(engine, time, Visitor, null, TimeSpan.FromSeconds(1), Enumerable.Repeat((2.0, 2.0), 5).ToArray());   // bay 3 unstaffed since T0
        time.Advance(TimeSpan.FromHours(1));
        engine.Shift(TimeSpan.FromHours(1));
        var after = Walk(engine, time, Visitor, null, TimeSpan.FromSeconds(1), Enumerable.Repeat((2.0, 2.0), 5).ToArray()).Concat(engine.Tick()).ToList();
        Assert.That(after.OfType<ZoneExited>(), Is.Empty, "the visitor inside is not 'lost' by a clock step");
        Assert.That(after.OfType<AvailabilityAlert>(), Is.Empty, "ten seconds unstaffed, not an hour");
        time.Advance(TimeSpan.FromSeconds(30));
        ZoneExited exit = engine.Tick().OfType<ZoneExited>().Single();
        Assert.That(exit.Dwell, Is.LessThan(TimeSpan.FromSeconds(15)), "dwell counts real time, not the step");
    }

    [Test]
    public void Observe_PersonStaysInsideLongerThanEnterAfter_EntersOnceDatedWhenTheyStepped()
    {
        var (engine, time) = Create();
        var events = Walk(engine, time, Nurse, "nurse", TimeSpan.FromMilliseconds(250), Enumerable.Repeat((2.0, 2.0), 12).ToArray());
        var entered = events.OfType<ZoneEntered>().ToList();
        Assert.That(entered, Has.Count.EqualTo(1));
        Assert.That(entered[0].Zone, Is.EqualTo("bay3"));
        Assert.That(entered[0].OccurredAt, Is.EqualTo(T0), "dated at the first moment inside, not when inertia was satisfied");
        Assert.That(events.OfType<ZoneOccupancy>().Last().ByRole, Is.EquivalentTo(new Dictionary<string, int> { ["nurse"] = 1 }));
    }

    [Test]
    public void Observe_PersonOnlyPassesThroughBrieflyOrJittersOnTheEdge_NoEntryNoExit()
    {
        var (engine, time) = Create();
        var events = Walk(engine, time, Visitor, null, TimeSpan.FromMilliseconds(250), (2, -0.5), (2, 0.3), (2, -0.5), (2, -1), (2, -1.5));
        Assert.That(events.OfType<ZoneEntered>().Where(e => e.Zone == "bay3"), Is.Empty);
        Assert.That(events.OfType<ZoneExited>(), Is.Empty);
    }

    [Test]
    public void Observe_PersonLeavesAndStaysOut_ExitsWithDwellAndReasonLeft()
    {
        var (engine, time) = Create();
        var events = Walk(engine, time, Nurse, "nurse", TimeSpan.FromSeconds(1), (2, 2), (2, 2), (2, 2), (2, 2), (2, -1), (2, -1), (2, -1), (2, -1));
        ZoneExited exit = events.OfType<ZoneExited>().Single(e => e.Zone == "bay3");
        Assert.That(exit.Reason, Is.EqualTo("left"));
        Assert.That(exit.Dwell, Is.EqualTo(TimeSpan.FromSeconds(3)), "from the first to the last moment seen inside");
        Assert.That(engine.OccupancyOf("bay3"), Is.Empty);
    }

    [Test]
    public void Tick_PersonNoLongerSeenByAnyCamera_ExitsAsLostAfterExitAfter()
    {
        var (engine, time) = Create();
        Walk(engine, time, Nurse, "nurse", TimeSpan.FromSeconds(1), (2, 2), (2, 2), (2, 2));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(engine.Tick().OfType<ZoneExited>(), Is.Empty, "within ExitAfter: still present");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(engine.Tick().OfType<ZoneExited>().Single().Reason, Is.EqualTo("lost"));
    }

    [TestCase(-1.0, 1.0, "in")]
    [TestCase(1.0, -1.0, "out")]
    public void Observe_PersonWalksThroughTheDoor_CrossingWithDirection(double fromY, double toY, string direction)
    {
        var (engine, time) = Create();
        var path = Enumerable.Range(0, 9).Select(i => (2.0, fromY + ((toY - fromY) * i / 8))).ToArray();
        var crossings = Walk(engine, time, Nurse, "nurse", TimeSpan.FromMilliseconds(200), path).OfType<DoorCrossed>().ToList();
        Assert.That(crossings, Has.Count.EqualTo(1));
        Assert.That(crossings[0].Direction, Is.EqualTo(direction));
        Assert.That(crossings[0].Zone, Is.EqualTo("bay3"));
    }

    [Test]
    public void Observe_PersonStandsOnTheThresholdOrWalksRoundTheDoorEnd_NoCrossing()
    {
        var (engine, time) = Create();
        var jitter = Enumerable.Range(0, 20).Select(i => (2.0, i % 2 == 0 ? -0.15 : 0.15)).ToArray();
        Assert.That(Walk(engine, time, Nurse, "nurse", TimeSpan.FromMilliseconds(100), jitter).OfType<DoorCrossed>(), Is.Empty);
        // Outside beside the door, then along the wall past its end (away from the opening), then inside far from it.
        var (engine2, time2) = Create();
        var round = new (double, double)[] { (2, -1), (6, -1), (6, 1), (6, 3), (2, 3) };
        Assert.That(Walk(engine2, time2, Nurse, "nurse", TimeSpan.FromSeconds(1), round).OfType<DoorCrossed>(), Is.Empty);
    }

    [Test]
    public void Observe_NoNurseInBayForTenMinutes_AlertThenClearedWhenOneReturns()
    {
        var (engine, time) = Create();
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.That(engine.Tick().OfType<AvailabilityAlert>(), Is.Empty);
        var walked = Walk(engine, time, Visitor, "visitor", TimeSpan.FromSeconds(30), (2, 2), (2, 2), (2, 2));   // not staff
        var alert = walked.Concat(engine.Tick()).OfType<AvailabilityAlert>().ToList();
        Assert.That(alert, Has.Count.EqualTo(1));
        Assert.That(alert[0].UnstaffedSince, Is.EqualTo(T0));
        Assert.That(engine.Tick().OfType<AvailabilityAlert>(), Is.Empty, "raised once");
        var back = Walk(engine, time, Nurse, "nurse", TimeSpan.FromMilliseconds(500), (2, 2), (2, 2), (2, 2), (2, 2));
        AvailabilityCleared cleared = back.OfType<AvailabilityCleared>().Single();
        Assert.That(cleared.Reason, Is.EqualTo("staffed"));
        Assert.That(cleared.Unstaffed, Is.GreaterThan(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void Retire_ZonesEdited_EveryPresenceExitsAndEveryAlertClearsWithReasonReconfigured()
    {
        var (engine, time) = Create();
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.That(engine.Tick().OfType<AvailabilityAlert>().ToList(), Has.Count.EqualTo(1));
        Walk(engine, time, Visitor, "visitor", TimeSpan.FromSeconds(1), (2, 2), (2, 2), (2, 2));
        var events = engine.Retire();
        ZoneExited exit = events.OfType<ZoneExited>().Single();
        Assert.That((exit.Zone, exit.Reason), Is.EqualTo(("bay3", "reconfigured")));
        AvailabilityCleared cleared = events.OfType<AvailabilityCleared>().Single();
        Assert.That((cleared.Rule, cleared.Reason), Is.EqualTo(("bay3-staffed", "reconfigured")));
        Assert.That(events.OfType<ZoneOccupancy>().Single(o => o.Zone == "bay3").ByRole, Is.Empty, "bay 3 reported empty");
        Assert.That(engine.Snapshot().Presences, Is.Empty);
        Assert.That(engine.Snapshot().Alerts, Is.Empty, "nothing left open for a restart to close again");
        EventSchema.AssertAllValid(events.Select(e => new EventFactory("dev", "site", "ward", 0).Create(e)));
    }

    [Test]
    public void Start_AfterCrash_ClosesLeftOpenPresencesAndAlertsWithReasonRestart()
    {
        var (engine, time) = Create();
        Walk(engine, time, Nurse, "nurse", TimeSpan.FromSeconds(1), (2, 2), (2, 2), (2, 2));
        time.Advance(TimeSpan.FromMinutes(11));
        engine.Tick();
        ZoneState saved = engine.Snapshot();
        Assert.That(saved.Presences, Is.Empty, "the nurse was lost long ago");
        Walk(engine, time, Nurse, "nurse", TimeSpan.FromSeconds(1), (2, 2), (2, 2), (2, -1));
        saved = engine.Snapshot();
        Assert.That(saved.Presences.Select(p => p.Zone), Is.EquivalentTo(new[] { "bay3", "corridor" }).Or.EquivalentTo(new[] { "bay3" }));

        // A new engine (the restarted agent) closes what was open, then reports every zone empty.
        var (restarted, _) = Create();
        var first = restarted.Start(saved);
        var exits = first.OfType<ZoneExited>().ToList();
        Assert.That(exits, Has.Count.EqualTo(saved.Presences.Count));
        Assert.That(exits.Select(e => e.Reason), Has.All.EqualTo("restart"));
        Assert.That(first.OfType<ZoneOccupancy>().Select(o => (o.Zone, o.Total, o.Trigger)), Is.EquivalentTo(new[] { ("bay3", 0, "start"), ("corridor", 0, "start") }));
    }

    [Test]
    public void Stop_ClosesEveryPresenceWithReasonShutdown()
    {
        var (engine, time) = Create();
        Walk(engine, time, Nurse, "nurse", TimeSpan.FromSeconds(1), (2, 2), (2, 2), (2, 2));
        var stopped = engine.Stop();
        Assert.That(stopped.OfType<ZoneExited>().Single().Reason, Is.EqualTo("shutdown"));
        Assert.That(engine.Snapshot().Presences, Is.Empty);
    }

    [Test]
    public void Observe_EveryKindOfEvent_ValidatesAgainstThePublishedSchema()
    {
        var (engine, time) = Create();
        var all = new List<ZoneEvent>(engine.Start(new ZoneState
        {
            Presences = [new ZoneState.OpenPresence("bay3", Visitor, "unknown", T0.AddHours(-1), T0.AddMinutes(-5))],
            Alerts = [new ZoneState.OpenAlert("bay3-staffed", "bay3", T0.AddHours(-2))],
        }));
        time.Advance(TimeSpan.FromMinutes(11));
        all.AddRange(engine.Tick());
        all.AddRange(Walk(engine, time, Nurse, "nurse", TimeSpan.FromMilliseconds(300), Enumerable.Range(0, 12).Select(i => (2.0, -1 + (i * 0.25))).ToArray()));
        time.Advance(TimeSpan.FromSeconds(61));
        all.AddRange(engine.Tick());
        all.AddRange(engine.Stop());
        Assert.That(all.Select(e => e.Type.Name).Distinct(), Is.EquivalentTo(new[]
        {
            "zone.entered", "zone.exited", "zone.occupancy", "door.crossed", "availability.alert", "availability.cleared",
        }));
        var factory = new EventFactory("ward7-jetson", "st-marys", "ward-7");
        var envelopes = all.Select(factory.Create).ToList();
        EventSchema.AssertAllValid(envelopes);
        Assert.That(envelopes.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, envelopes.Count).Select(i => (long)i)), "gap-free per device");
        Assert.That(envelopes.Select(e => e.EventId.Version), Has.All.EqualTo(7));
    }

    [Test]
    public void Schema_EventWithAnExtraField_IsRejected()
    {
        var factory = new EventFactory("d", "s", "w");
        EventEnvelope e = factory.Create(new ZoneEntered(T0, "bay3", Nurse, "nurse"));
        e.Payload["badge"] = "0012345678";
        Assert.That(EventSchema.Problems(EventFactory.ToJson(e)), Is.Not.Empty, "the schema admits nothing that is not listed, so no badge id or name can slip in");
        e.Payload.Remove("badge");
        e.Payload["person"] = "Jane Doe";
        Assert.That(EventSchema.Problems(EventFactory.ToJson(e)), Is.Not.Empty, "a person is a 16-hex pseudonym, never a name");
    }
}

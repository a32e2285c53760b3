using EdgeAgent.Tracking;
using System.Collections.Concurrent;
using EdgeAgent.Badges;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Health;
using EdgeAgent.Ward;
using EdgeAgent.Zones;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Tracks → anonymised events: the ward stage (floor positions, one identity per person), roles (badge at a door,
/// else uniform), the zone engine, and the envelope. The replay, the service and the tests all run exactly this.
/// Used from one thread, the consumer of the track channel; badge reads may be queued from any thread.
/// </summary>
public sealed class EventStage
{
    private readonly WardStage _ward;
    private ZoneEngine _engine;
    private FloorPlan _plan;
    private readonly EventClock _clock;
    private readonly EventFactory _factory;
    private readonly BadgeFusion _fusion;
    private readonly bool _mediaTime;
    private readonly DateTimeOffset _epoch;
    private readonly double _minRoleConfidence;
    private string _unknownRole;
    private readonly ConcurrentQueue<BadgeRead> _reads = new();
    private readonly ConcurrentQueue<ZoneEvent> _frames = new();   // made on other threads: uploaded frames, device status
    private readonly Dictionary<string, string> _badgeRoles = new(StringComparer.Ordinal);   // pseudonym → role learned at a door
    private readonly List<FloorPerson> _floor = [];
    private readonly HashSet<string> _down = new(StringComparer.Ordinal);   // cameras that are down now
    private readonly HashSet<string> _starting = new(StringComparer.Ordinal);   // cameras watched but not yet judged (the service's start)
    private ZoneCoverage _coverage;

    /// <param name="mediaTime">Replay: date events by the video's media time from <paramref name="epoch"/>; service: by capture time.</param>
    /// <param name="watchCameras">The service: a camera monitor reports each camera's state; until a zone's camera first
    /// delivers, the zone's availability rules are not judged (a camera still opening is no empty bay).</param>
    public EventStage(AgentSettings settings, EventFactory factory, DateTimeOffset epoch, bool mediaTime, TimeProvider wallClock, bool watchCameras = false)
    {
        var problems = new List<string>();
        FloorPlan plan = FloorPlan.Create(settings.Zones, problems) ?? throw new ConfigurationException(problems);
        _ward = new WardStage(settings.Capture.Cameras, settings.Ward, wallClock);
        _clock = new EventClock(epoch);
        _engine = new ZoneEngine(plan, settings.Zones, _clock);
        _plan = plan;
        _coverage = ZoneCoverage.Of(plan, settings.Capture.Cameras);
        if (watchCameras) _starting.UnionWith(settings.Capture.Cameras.Select(c => c.Id));
        _engine.SetPending(PendingZones());
        _factory = factory;
        _fusion = new BadgeFusion(settings.Badges.FusionWindow);
        _mediaTime = mediaTime;
        _epoch = epoch;
        _minRoleConfidence = settings.Roles.MinConfidence;
        _unknownRole = settings.Zones.UnknownRole;
        _steps = mediaTime ? null : new ClockSteps(wallClock);
        _wallClock = wallClock;
    }

    private readonly ClockSteps? _steps;   // the service only: a replay runs on media time
    private readonly TimeProvider _wallClock;
    private bool _stepPending;

    /// <summary>Wall-clock steps seen (the service only).</summary>
    public int ClockStepsSeen => _steps?.Count ?? 0;

    // A stepped wall clock flags the next event, and the zones' times move with it (durations stay true).
    private void CheckClock()
    {
        if (_steps?.Check() is not { } step) return;
        _stepPending = true;
        _clock.StepTo(_clock.GetUtcNow() + step);
        _engine.Shift(step);
    }

    public WardStage Ward => _ward;

    /// <summary>The events made so far carry sequence numbers up to this one.</summary>
    public long LastSequence => _factory.LastSequence;

    /// <summary>Open presences and alerts, for the state file.</summary>
    public ZoneState State => _engine.Snapshot();

    /// <summary>Queues a badge read (from a reader thread); it is joined with door crossings at the next snapshot.</summary>
    public void Enqueue(BadgeRead read) => _reads.Enqueue(read);

    /// <summary>Queues the event of an uploaded frame (from the uploader's thread); it goes out with the next batch.</summary>
    public void Enqueue(FrameSampled frame) => _frames.Enqueue(frame);

    /// <summary>Queues a device status (from the status timer); it goes out with the next batch.</summary>
    public void Enqueue(DeviceStatus status) => _frames.Enqueue(status);

    /// <summary>Queues the outbox's damage report (found when it opened); it goes out with the first batch.</summary>
    public void Enqueue(OutboxDamaged damage) => _frames.Enqueue(damage);

    /// <summary>Queues a model-health report; it goes out with the next batch.</summary>
    public void Enqueue(ModelHealthReport report) => _frames.Enqueue(report);

    /// <summary>First events of a run: closes what a previous run left open, reports every zone's occupancy.</summary>
    public IReadOnlyList<EventEnvelope> Start(ZoneState? leftOpen) => Wrap(_engine.Start(leftOpen));

    /// <summary>Takes the next snapshot from the track channel; returns the ward snapshots now ready and the events they made.</summary>
    public (IReadOnlyList<WardSnapshot> Ward, IReadOnlyList<EventEnvelope> Events) Add(TrackSnapshot snapshot) => Process(_ward.Add(snapshot));

    /// <summary>End of a replay: the snapshots still held for ordering.</summary>
    public (IReadOnlyList<WardSnapshot> Ward, IReadOnlyList<EventEnvelope> Events) Flush() => Process(_ward.Flush());

    /// <summary>Time passes with no snapshot (all cameras down): exits, periodic occupancy, alerts.</summary>
    public IReadOnlyList<EventEnvelope> Tick(DateTimeOffset now)
    {
        CheckClock();
        _clock.AdvanceTo(now);
        var events = new List<ZoneEvent>();
        DrainReads();
        events.AddRange(_engine.Tick());
        while (_frames.TryDequeue(out ZoneEvent? f)) events.Add(f);
        return Wrap(events);
    }

    /// <summary>
    /// Applies edited zones and calibrations without a restart (the web editor, after the file is saved and validated):
    /// open presences exit and alerts clear with reason <c>reconfigured</c>, the new plan reports every zone's occupancy,
    /// and each camera's new calibration maps the next frames. Only the zones and calibrations change; other settings
    /// still need a restart.
    /// </summary>
    public IReadOnlyList<EventEnvelope> Reconfigure(AgentSettings next)
    {
        var problems = new List<string>();
        FloorPlan plan = FloorPlan.Create(next.Zones, problems) ?? throw new ConfigurationException(problems);
        var events = new List<ZoneEvent>(_engine.Retire());
        _ward.Recalibrate(next.Capture.Cameras);
        _engine = new ZoneEngine(plan, next.Zones, _clock);
        _plan = plan;
        _coverage = ZoneCoverage.Of(plan, next.Capture.Cameras);
        _unknownRole = next.Zones.UnknownRole;
        events.AddRange(_engine.Start(null));
        events.AddRange(_engine.SetBlind(BlindZones()));   // the new zones' coverage, with the cameras as they are
        _engine.SetPending(PendingZones());
        return Wrap(events);
    }

    /// <summary>Which cameras cover each zone (from the calibrations, or as configured).</summary>
    public ZoneCoverage Coverage => _coverage;

    /// <summary>Zones no working camera covers now, with since when.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Blind => _engine.Blind;

    /// <summary>
    /// Cameras changed condition (the service's camera monitor): each change is published as <c>camera.status</c>, a
    /// camera that went down parks the identities it saw, and zones whose covering cameras are all down go blind (and
    /// come back when one returns) — see <see cref="ZoneEngine.SetBlind"/>.
    /// </summary>
    public IReadOnlyList<EventEnvelope> CamerasChanged(IReadOnlyList<CameraStatusChanged> changes)
    {
        var events = new List<ZoneEvent>();
        if (!_mediaTime && changes.Count > 0) _clock.AdvanceTo(changes.Max(c => c.Since));   // the zones' events dated with the camera's change
        foreach (CameraStatusChanged c in changes)
        {
            _starting.Remove(c.Camera);
            events.Add(c);
            if (c.State == "down")
            {
                if (_down.Add(c.Camera)) _ward.CameraDown(c.Camera);
            }
            else if (_down.Remove(c.Camera)) _ward.CameraUp(c.Camera);
        }
        DrainReads();
        events.AddRange(_engine.SetBlind(BlindZones()));
        _engine.SetPending(PendingZones());
        return Wrap(events);
    }

    // Zones whose covering cameras have all not delivered yet (the service's start): their rules wait for a camera.
    private HashSet<string> PendingZones() => _coverage.Blind(c => !_starting.Contains(c)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The zones a camera covers.</summary>
    public IReadOnlyList<string> ZonesSeenBy(string camera) =>
        _coverage.CamerasOf.Where(kv => kv.Value.Contains(camera, StringComparer.Ordinal)).Select(kv => kv.Key).ToList();

    private Dictionary<string, IReadOnlyList<string>> BlindZones() =>
        _coverage.Blind(c => !_down.Contains(c)).ToDictionary(z => z, z => _coverage.CamerasOf[z], StringComparer.Ordinal);

    /// <summary>The events' "now": wall time in the service, media time in a replay.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>The zones now in use.</summary>
    public FloorPlan Plan => _plan;

    /// <summary>People present in each zone now, by role (what the zone.occupancy events report).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Occupancy() =>
        _plan.Zones.ToDictionary(z => z.Zone.Id, z => _engine.OccupancyOf(z.Zone.Id), StringComparer.Ordinal);

    /// <summary>Graceful stop: everyone still present exits with reason <c>shutdown</c>.</summary>
    public IReadOnlyList<EventEnvelope> Stop() => Wrap(_engine.Stop());

    private (IReadOnlyList<WardSnapshot>, IReadOnlyList<EventEnvelope>) Process(IReadOnlyList<WardSnapshot> ready)
    {
        var events = new List<ZoneEvent>();
        CheckClock();
        foreach (WardSnapshot ws in ready)
        {
            _clock.AdvanceTo(_mediaTime && ws.MediaTime is { } media ? _epoch + media : ws.CapturedAt);
            DrainReads();
            _floor.Clear();
            foreach (WardPerson p in ws.People)
                _floor.Add(new FloorPerson(p.Pseudonym, p.FloorX, p.FloorY, RoleOrNull(p)));
            foreach (ZoneEvent e in _engine.Observe(_floor))
                events.Add(e is DoorCrossed crossed ? Fuse(crossed) : e);
        }
        while (_frames.TryDequeue(out ZoneEvent? f)) events.Add(f);
        return (ready, Wrap(events));
    }

    private string? RoleOrNull(WardPerson p) =>
        _badgeRoles.TryGetValue(p.Pseudonym, out string? badge) ? badge
        : p.Role is not null && p.RoleConfidence >= _minRoleConfidence ? p.Role
        : null;

    /// <summary>The role a person counts as in the zones (the dashboard colours people by it).</summary>
    public string RoleOf(WardPerson p) => RoleOrNull(p) ?? _unknownRole;

    // A crossing takes the role of a read at the same door within the fusion window; the crossing event carries it.
    private DoorCrossed Fuse(DoorCrossed crossed)
    {
        if (_fusion.OnCrossing(crossed.Door, crossed.Person, crossed.OccurredAt) is not { } role) return crossed;
        _badgeRoles[crossed.Person] = role;
        return crossed with { Role = role };
    }

    private void DrainReads()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        while (_reads.TryDequeue(out BadgeRead read))
            if (_fusion.OnRead(read, now) is { } match) _badgeRoles[match.Person] = match.Role;   // later events carry the role
        if (_badgeRoles.Count > 10_000) _badgeRoles.Clear();   // bounded: pseudonyms rotate; a role is re-learned at the next door
    }

    private List<EventEnvelope> Wrap(IEnumerable<ZoneEvent> events)
    {
        var list = new List<EventEnvelope>();
        foreach (ZoneEvent e in events)
        {
            EventEnvelope envelope = _factory.Create(e);
            if (_stepPending)
            {
                envelope = envelope with { ClockStepped = true };
                _stepPending = false;
            }
            list.Add(envelope);
            EdgeMetrics.ZoneEvents.Add(1, new KeyValuePair<string, object?>("type", e.Type.Name));
        }
        return list;
    }
}

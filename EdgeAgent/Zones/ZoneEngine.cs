namespace EdgeAgent.Zones;

/// <summary>
/// Turns people's floor positions into zone events: entries and exits with inertia, dwell, occupancy per zone and
/// role, door crossings with direction, and availability alerts. A pure decider — no I/O; "now" comes from the
/// injected <see cref="TimeProvider"/> (wall time in the service, media time in a replay, a fake in tests).
/// Used from one thread.
/// </summary>
public sealed class ZoneEngine
{
    private sealed class Presence
    {
        public DateTimeOffset? CandidateSince;   // first moment inside while not yet present
        public DateTimeOffset LastInside;
        public DateTimeOffset? EnteredAt;        // set while present
        public string Role = "";                 // role reported at entry (exit repeats it)
    }

    private sealed class Person(string id)
    {
        public string Id { get; } = id;
        public string Role = "";
        public DateTimeOffset LastSeen;
        public readonly Dictionary<string, Presence> Zones = new(StringComparer.Ordinal);
        public readonly Dictionary<string, int> DoorSides = new(StringComparer.Ordinal);
    }

    private sealed class RuleState
    {
        public DateTimeOffset? UnstaffedSince;
        public bool Alerting;
    }

    private readonly FloorPlan _plan;
    private readonly ZoneOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Person> _people = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RuleState> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _lastOccupancy = new(StringComparer.Ordinal);
    private DateTimeOffset _nextPeriodic;

    public ZoneEngine(FloorPlan plan, ZoneOptions options, TimeProvider time)
    {
        _plan = plan;
        _options = options;
        _time = time;
        DateTimeOffset now = time.GetUtcNow();
        foreach (AvailabilityRule r in plan.Rules) _rules[r.Id] = new RuleState { UnstaffedSince = now };
        foreach (var (zone, _) in plan.Zones) _lastOccupancy[zone.Id] = [];
        _nextPeriodic = now + options.OccupancyInterval;
    }

    /// <summary>
    /// Start-up: closes what a previous run left open (exits and cleared alerts with reason <c>restart</c>) and reports
    /// every zone's occupancy, so subscribers start from the truth.
    /// </summary>
    public IReadOnlyList<ZoneEvent> Start(ZoneState? leftOpen)
    {
        var events = new List<ZoneEvent>();
        DateTimeOffset now = _time.GetUtcNow();
        if (leftOpen is not null)
        {
            foreach (ZoneState.OpenPresence p in leftOpen.Presences)
                events.Add(new ZoneExited(p.LastInside, p.Zone, p.Person, p.Role, p.EnteredAt, "restart"));
            foreach (ZoneState.OpenAlert a in leftOpen.Alerts)
                events.Add(new AvailabilityCleared(now, a.Rule, a.Zone, a.UnstaffedSince, "restart"));
        }
        foreach (var (zone, _) in _plan.Zones) events.Add(new ZoneOccupancy(now, zone.Id, new Dictionary<string, int>(), "start"));
        return events;
    }

    /// <summary>People seen now by one camera (others are not affected). Returns the events this decides.</summary>
    public IReadOnlyList<ZoneEvent> Observe(IReadOnlyList<FloorPerson> seen)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var events = new List<ZoneEvent>();
        foreach (FloorPerson f in seen)
        {
            if (!double.IsFinite(f.X) || !double.IsFinite(f.Y)) continue;   // camera without floor calibration
            if (!_people.TryGetValue(f.Person, out Person? p)) _people[f.Person] = p = new Person(f.Person);
            p.LastSeen = now;
            p.Role = string.IsNullOrEmpty(f.Role) ? _options.UnknownRole : f.Role;
            foreach (var (zone, shape) in _plan.Zones)
            {
                if (!shape.Contains(f.X, f.Y)) continue;
                if (!p.Zones.TryGetValue(zone.Id, out Presence? presence)) p.Zones[zone.Id] = presence = new Presence();
                presence.LastInside = now;
                presence.CandidateSince ??= now;
                if (presence.EnteredAt is null && now - presence.CandidateSince >= _options.EnterAfter)
                {
                    presence.EnteredAt = presence.CandidateSince;
                    presence.Role = p.Role;
                    events.Add(new ZoneEntered(presence.EnteredAt.Value, zone.Id, p.Id, p.Role));
                }
            }
            foreach (DoorLine door in _plan.Doors) CheckDoor(door, p, f, now, events);
        }
        Advance(now, events);
        return events;
    }

    /// <summary>Time passes without a new observation: exits for people no longer seen, periodic occupancy, alerts.</summary>
    public IReadOnlyList<ZoneEvent> Tick()
    {
        var events = new List<ZoneEvent>();
        Advance(_time.GetUtcNow(), events);
        return events;
    }

    /// <summary>Graceful stop: every open presence exits (reason <c>shutdown</c>) so nothing is left open.</summary>
    public IReadOnlyList<ZoneEvent> Stop() => Close("shutdown", clearAlerts: false);

    /// <summary>
    /// The floor plan is being replaced (the editor saved new zones): every open presence exits and every raised alert
    /// clears with reason <c>reconfigured</c>; this engine is not used again. People still inside enter the new zones
    /// after <c>EnterAfter</c>.
    /// </summary>
    public IReadOnlyList<ZoneEvent> Retire() => Close("reconfigured", clearAlerts: true);

    private List<ZoneEvent> Close(string reason, bool clearAlerts)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var events = new List<ZoneEvent>();
        foreach (Person p in _people.Values)
            foreach (var (zone, presence) in p.Zones)
                if (presence.EnteredAt is { } entered) events.Add(new ZoneExited(presence.LastInside, zone, p.Id, presence.Role, entered, reason));
        _people.Clear();
        events.AddRange(Occupancy(now, periodic: false));
        if (clearAlerts)
            foreach (AvailabilityRule rule in _plan.Rules)
                if (_rules[rule.Id] is { Alerting: true, UnstaffedSince: { } since })
                {
                    events.Add(new AvailabilityCleared(now, rule.Id, rule.Zone, since, reason));
                    _rules[rule.Id].Alerting = false;
                }
        return events;
    }

    /// <summary>The open presences and alerts, to be saved so a restart can close them.</summary>
    public ZoneState Snapshot()
    {
        var state = new ZoneState();
        foreach (Person p in _people.Values)
            foreach (var (zone, presence) in p.Zones)
                if (presence.EnteredAt is { } entered) state.Presences.Add(new ZoneState.OpenPresence(zone, p.Id, presence.Role, entered, presence.LastInside));
        foreach (AvailabilityRule r in _plan.Rules)
            if (_rules[r.Id] is { Alerting: true, UnstaffedSince: { } since }) state.Alerts.Add(new ZoneState.OpenAlert(r.Id, r.Zone, since));
        return state;
    }

    /// <summary>People currently present in a zone, by role.</summary>
    public IReadOnlyDictionary<string, int> OccupancyOf(string zone) => Count(zone);

    private void CheckDoor(DoorLine door, Person p, FloorPerson f, DateTimeOffset now, List<ZoneEvent> events)
    {
        string id = door.Definition.Id;
        int? side = door.SideOf(f.X, f.Y);
        if (side is null) { p.DoorSides.Remove(id); return; }   // away from the door: forget which side they came from
        if (side == 0) return;                                   // on the threshold: wait until clearly past it
        if (p.DoorSides.TryGetValue(id, out int before) && before != side)
            events.Add(new DoorCrossed(now, id, door.Definition.Zone, side > 0 ? "in" : "out", p.Id, p.Role));
        p.DoorSides[id] = side.Value;
    }

    /// <summary>
    /// The wall clock was stepped by <paramref name="step"/>: every time held moves with it, so durations (dwell, time
    /// unstaffed, the inertias) stay true — a step forward does not make everyone "lost" or raise alerts, a step back
    /// does not freeze occupancy reports and alerts until the old time comes round again.
    /// </summary>
    public void Shift(TimeSpan step)
    {
        foreach (Person p in _people.Values)
        {
            p.LastSeen = Moved(p.LastSeen, step);
            foreach (Presence z in p.Zones.Values)
            {
                z.LastInside = Moved(z.LastInside, step);
                if (z.CandidateSince is { } c) z.CandidateSince = Moved(c, step);
                if (z.EnteredAt is { } e) z.EnteredAt = Moved(e, step);
            }
        }
        foreach (RuleState r in _rules.Values)
            if (r.UnstaffedSince is { } u) r.UnstaffedSince = Moved(u, step);
        _nextPeriodic = Moved(_nextPeriodic, step);
    }

    private static DateTimeOffset Moved(DateTimeOffset t, TimeSpan step) => t == DateTimeOffset.MinValue ? t : t + step;

    private void Advance(DateTimeOffset now, List<ZoneEvent> events)
    {
        foreach (Person p in _people.Values)
        {
            foreach (var (zone, presence) in p.Zones)
            {
                if (now - presence.LastInside <= _options.ExitAfter && presence.LastInside > DateTimeOffset.MinValue) continue;
                if (presence.EnteredAt is { } entered)
                    events.Add(new ZoneExited(presence.LastInside, zone, p.Id, presence.Role, entered, p.LastSeen > presence.LastInside ? "left" : "lost"));
                p.Zones.Remove(zone);   // allowed: Dictionary tolerates Remove during enumeration since .NET Core 3.0
            }
            if (p.Zones.Count == 0 && now - p.LastSeen > _options.ExitAfter) _people.Remove(p.Id);
        }
        // Entries whose role changed after they were reported keep their reported role for the exit, but occupancy
        // counts the current role, so a role learned at a door shows up in the counts at once.
        events.AddRange(Occupancy(now, periodic: now >= _nextPeriodic));
        if (now >= _nextPeriodic) _nextPeriodic = now + _options.OccupancyInterval;
        foreach (AvailabilityRule rule in _plan.Rules) CheckRule(rule, now, events);
    }

    private IEnumerable<ZoneOccupancy> Occupancy(DateTimeOffset now, bool periodic)
    {
        foreach (var (zone, _) in _plan.Zones)
        {
            Dictionary<string, int> counts = Count(zone.Id);
            bool changed = !SameCounts(counts, _lastOccupancy[zone.Id]);
            if (!changed && !periodic) continue;
            _lastOccupancy[zone.Id] = counts;
            yield return new ZoneOccupancy(now, zone.Id, counts, changed ? "change" : "periodic");
        }
    }

    private Dictionary<string, int> Count(string zone)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Person p in _people.Values)
            if (p.Zones.TryGetValue(zone, out Presence? presence) && presence.EnteredAt is not null)
                counts[p.Role] = counts.GetValueOrDefault(p.Role) + 1;
        return counts;
    }

    private static bool SameCounts(Dictionary<string, int> a, Dictionary<string, int> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out int n) && n == kv.Value);

    private void CheckRule(AvailabilityRule rule, DateTimeOffset now, List<ZoneEvent> events)
    {
        RuleState state = _rules[rule.Id];
        int staff = Count(rule.Zone).Where(kv => rule.Roles.Count == 0 || rule.Roles.Contains(kv.Key, StringComparer.Ordinal)).Sum(kv => kv.Value);
        if (staff >= rule.MinimumCount)
        {
            if (state.Alerting && state.UnstaffedSince is { } since) events.Add(new AvailabilityCleared(now, rule.Id, rule.Zone, since, "staffed"));
            state.Alerting = false;
            state.UnstaffedSince = null;
            return;
        }
        state.UnstaffedSince ??= now;
        if (!state.Alerting && now - state.UnstaffedSince >= rule.After)
        {
            state.Alerting = true;
            events.Add(new AvailabilityAlert(now, rule.Id, rule.Zone, rule.Roles, rule.MinimumCount, state.UnstaffedSince.Value, rule.After));
        }
    }
}

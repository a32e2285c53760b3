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
        public DateTimeOffset? ResumedAt;        // the zone's cameras came back: ExitAfter counts from then for a held presence
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
    private readonly Dictionary<string, DateTimeOffset> _blind = new(StringComparer.Ordinal);   // zone → since when no working camera covers it
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
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
            foreach (ZoneState.OpenCoverage c in leftOpen.Coverage)
                events.Add(new CoverageRestored(now, c.Rule, c.Zone, c.BlindSince, "restart"));
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

    /// <summary>
    /// Graceful stop: every open presence exits (reason <c>shutdown</c>) so nothing is left open, and every zone's occupancy
    /// becomes unknown (nobody watches any more; a retained 0 would read as an empty ward). Raised alerts stay raised: the
    /// next start clears them (reason <c>restart</c>) or they still hold.
    /// </summary>
    public IReadOnlyList<ZoneEvent> Stop()
    {
        List<ZoneEvent> events = Close("shutdown", clearAlerts: false, reportOccupancy: false);
        DateTimeOffset now = _time.GetUtcNow();
        foreach (var (zone, _) in _plan.Zones) events.Add(new ZoneOccupancy(now, zone.Id, new Dictionary<string, int>(), "shutdown", Known: false));
        return events;
    }

    /// <summary>
    /// The floor plan is being replaced (the editor saved new zones): every open presence exits and every raised alert
    /// clears with reason <c>reconfigured</c>; this engine is not used again. People still inside enter the new zones
    /// after <c>EnterAfter</c>.
    /// </summary>
    public IReadOnlyList<ZoneEvent> Retire() => Close("reconfigured", clearAlerts: true, reportOccupancy: true);

    private List<ZoneEvent> Close(string reason, bool clearAlerts, bool reportOccupancy)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var events = new List<ZoneEvent>();
        foreach (Person p in _people.Values)
            foreach (var (zone, presence) in p.Zones)
                if (presence.EnteredAt is { } entered) events.Add(new ZoneExited(presence.LastInside, zone, p.Id, presence.Role, entered, reason));
        _people.Clear();
        if (reportOccupancy) events.AddRange(Occupancy(now, periodic: false));
        if (clearAlerts)
            foreach (AvailabilityRule rule in _plan.Rules)
            {
                if (_rules[rule.Id] is { Alerting: true, UnstaffedSince: { } since })
                {
                    events.Add(new AvailabilityCleared(now, rule.Id, rule.Zone, since, reason));
                    _rules[rule.Id].Alerting = false;
                }
                if (_blind.TryGetValue(rule.Zone, out DateTimeOffset blindSince)) events.Add(new CoverageRestored(now, rule.Id, rule.Zone, blindSince, reason));
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
        {
            if (_rules[r.Id] is { Alerting: true, UnstaffedSince: { } since }) state.Alerts.Add(new ZoneState.OpenAlert(r.Id, r.Zone, since));
            if (_blind.TryGetValue(r.Zone, out DateTimeOffset blindSince)) state.Coverage.Add(new ZoneState.OpenCoverage(r.Id, r.Zone, blindSince));
        }
        return state;
    }

    /// <summary>
    /// Zones whose cameras have not delivered yet (the agent is starting): their rules are not judged, and their unstaffed
    /// time starts when a camera first sees them — a camera still opening is no empty bay.
    /// </summary>
    public void SetPending(IReadOnlySet<string> zones)
    {
        _pending.Clear();
        _pending.UnionWith(zones);
    }

    /// <summary>Zones no working camera covers now, with since when.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Blind => _blind;

    /// <summary>
    /// The zones no working camera covers now (<paramref name="cameras"/>: each one's covering cameras, all down). A zone
    /// going blind reports its occupancy as unknown, holds its presences (no exit until <c>BlindHoldFor</c>), and each of
    /// its rules raises <c>coverage.lost</c> (an "unstaffed" alert already raised is cleared first: it can no longer be
    /// judged). A zone seen again reports its occupancy, gives held presences <c>ExitAfter</c> from now to be found again,
    /// and restarts its rules' unstaffed time from now (what happened while blind is not known).
    /// </summary>
    public IReadOnlyList<ZoneEvent> SetBlind(IReadOnlyDictionary<string, IReadOnlyList<string>> cameras)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var events = new List<ZoneEvent>();
        foreach (var (zone, _) in _plan.Zones)
        {
            bool blind = cameras.ContainsKey(zone.Id), was = _blind.TryGetValue(zone.Id, out DateTimeOffset since);
            if (blind == was) continue;
            if (blind)
            {
                _blind[zone.Id] = now;
                events.Add(new ZoneOccupancy(now, zone.Id, new Dictionary<string, int>(), "blind", Known: false));
            }
            else
            {
                _blind.Remove(zone.Id);
                foreach (Person p in _people.Values)
                    if (p.Zones.TryGetValue(zone.Id, out Presence? held) && held.EnteredAt is not null) held.ResumedAt = now;
                Dictionary<string, int> counts = Count(zone.Id);
                _lastOccupancy[zone.Id] = counts;
                events.Add(new ZoneOccupancy(now, zone.Id, counts, "restored"));
            }
            foreach (AvailabilityRule rule in _plan.Rules.Where(r => r.Zone == zone.Id))
            {
                RuleState state = _rules[rule.Id];
                if (blind)
                {
                    if (state is { Alerting: true, UnstaffedSince: { } unstaffed }) events.Add(new AvailabilityCleared(now, rule.Id, rule.Zone, unstaffed, "coverage_lost"));
                    state.Alerting = false;
                    state.UnstaffedSince = null;
                    events.Add(new CoverageLost(now, rule.Id, rule.Zone, cameras[zone.Id]));
                }
                else
                {
                    events.Add(new CoverageRestored(now, rule.Id, rule.Zone, since, "camera_up"));
                    state.UnstaffedSince = now;
                }
            }
        }
        return events;
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
                if (z.ResumedAt is { } r) z.ResumedAt = Moved(r, step);
            }
        }
        foreach (RuleState r in _rules.Values)
            if (r.UnstaffedSince is { } u) r.UnstaffedSince = Moved(u, step);
        foreach (string zone in _blind.Keys.ToList()) _blind[zone] = Moved(_blind[zone], step);
        _nextPeriodic = Moved(_nextPeriodic, step);
    }

    private static DateTimeOffset Moved(DateTimeOffset t, TimeSpan step) => t == DateTimeOffset.MinValue ? t : t + step;

    private void Advance(DateTimeOffset now, List<ZoneEvent> events)
    {
        foreach (Person p in _people.Values)
        {
            foreach (var (zone, presence) in p.Zones)
            {
                string reason = p.LastSeen > presence.LastInside ? "left" : "lost";
                if (_blind.ContainsKey(zone) && presence.EnteredAt is not null)
                {
                    // Nobody can see the zone: the presence is held, not lost — up to BlindHoldFor.
                    if (now - presence.LastInside <= _options.BlindHoldFor) continue;
                    reason = "camera_down";
                }
                else
                {
                    DateTimeOffset from = presence.ResumedAt is { } resumed && resumed > presence.LastInside ? resumed : presence.LastInside;
                    if (now - from <= _options.ExitAfter && presence.LastInside > DateTimeOffset.MinValue) continue;
                }
                if (presence.EnteredAt is { } entered)
                    events.Add(new ZoneExited(presence.LastInside, zone, p.Id, presence.Role, entered, reason));
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
            if (_blind.ContainsKey(zone.Id))
            {
                // Blind: unknown, repeated periodically (a subscriber that polls sees why there is no count).
                if (periodic) yield return new ZoneOccupancy(now, zone.Id, new Dictionary<string, int>(), "periodic", Known: false);
                continue;
            }
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
        if (_blind.ContainsKey(rule.Zone)) return;   // cannot be judged: coverage.lost stands instead
        RuleState state = _rules[rule.Id];
        if (_pending.Contains(rule.Zone))
        {
            state.UnstaffedSince = null;   // counted from the first moment a camera sees the zone
            return;
        }
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

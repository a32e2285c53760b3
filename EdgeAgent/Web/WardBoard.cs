using EdgeAgent.Ward;
using EdgeAgent.Zones;

namespace EdgeAgent.Web;

/// <summary>
/// What the ward dashboard shows, kept up to date by the event loop: each zone's occupancy by role (from the zone engine,
/// the same counts the <c>zone.occupancy</c> events carry), the raised availability alerts, where people are now (role
/// only, no identity), a movement heatmap of the last <see cref="WebOptions.HeatmapWindow"/> and the shift's occupancy
/// timeline. Fed from the event loop's thread; <see cref="Snapshot"/> may be called from any thread.
/// </summary>
public sealed class WardBoard
{
    private static readonly TimeSpan PeopleFreshness = TimeSpan.FromSeconds(3);

    private readonly WebOptions _options;
    private readonly TimeZoneInfo _zone;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset At, List<BoardPerson> People)> _people = new(StringComparer.Ordinal);
    private readonly Queue<(long Minute, int[] Cells)> _heat = new();
    private readonly List<TimelineColumn> _timeline = [];
    private FloorPlan? _plan;
    private Grid _grid;
    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> _occupancy = new Dictionary<string, IReadOnlyDictionary<string, int>>();
    private IReadOnlyList<BoardAlert> _alerts = [];
    private IReadOnlyDictionary<string, DateTimeOffset> _blind = new Dictionary<string, DateTimeOffset>();
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _cameras = new Dictionary<string, IReadOnlyList<string>>();
    private string _unknownRole = "unknown";
    private DateTimeOffset _shiftStart = DateTimeOffset.MinValue;
    private DateTimeOffset _now;
    private long _seq;
    private long _version;

    public WardBoard(WebOptions options, TimeZoneInfo? zone = null)
    {
        _options = options;
        _zone = zone ?? TimeZoneInfo.Local;
    }

    /// <summary>Changes every time something shown changes (the event stream sends a new snapshot then).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The zones to draw; the heatmap restarts when they change (its grid covers them).</summary>
    public void SetPlan(FloorPlan plan, IReadOnlyDictionary<string, IReadOnlyList<string>>? cameras = null, string unknownRole = "unknown")
    {
        lock (_lock)
        {
            _plan = plan;
            _cameras = cameras ?? new Dictionary<string, IReadOnlyList<string>>();
            _unknownRole = unknownRole;
            _grid = Grid.Covering(plan, _options.HeatmapCellMetres);
            _heat.Clear();
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>People one camera sees now, on the floor (uncalibrated cameras contribute nothing).</summary>
    public void Observe(WardSnapshot snapshot, Func<WardPerson, string> roleOf)
    {
        var people = new List<BoardPerson>(snapshot.People.Count);
        foreach (WardPerson p in snapshot.People)
            if (double.IsFinite(p.FloorX) && double.IsFinite(p.FloorY))
            {
                string role = roleOf(p);
                people.Add(new BoardPerson(Math.Round(p.FloorX, 2), Math.Round(p.FloorY, 2), role, RoleColours.Of(role, _unknownRole)));
            }
        lock (_lock)
        {
            _people[snapshot.CameraId] = (snapshot.CapturedAt, people);
            long minute = snapshot.CapturedAt.ToUnixTimeSeconds() / 60;
            if (_heat.Count == 0 || _heat.Last().Minute != minute)
            {
                if (_heat.Count > 0 && _heat.Last().Minute > minute) return;   // an older snapshot: positions kept, heat not back-dated
                _heat.Enqueue((minute, new int[_grid.Cols * _grid.Rows]));
            }
            int[] cells = _heat.Last().Cells;
            foreach (BoardPerson p in people)
                if (_grid.IndexOf(p.X, p.Y) is int i) cells[i]++;
            long oldest = minute - (long)Math.Ceiling(_options.HeatmapWindow.TotalMinutes);
            while (_heat.Count > 0 && _heat.Peek().Minute <= oldest) _heat.Dequeue();
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>After a batch that made events: the event stage's counts and raised alerts as of event <paramref name="seq"/>.</summary>
    public void Update(long seq, Pipeline.EventStage stage)
    {
        var rules = stage.Plan.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        ZoneState state = stage.State;
        var alerts = state.Alerts.Select(a => new BoardAlert(a.Rule, a.Zone, a.UnstaffedSince, "unstaffed", Requires(rules.GetValueOrDefault(a.Rule))))
            .Concat(state.Coverage.Select(c => new BoardAlert(c.Rule, c.Zone, c.BlindSince, "coverage",
                $"no working camera sees {c.Zone} (covered by {string.Join(", ", stage.Coverage.CamerasOf.GetValueOrDefault(c.Zone) ?? [])}): "
                + $"the rule '{Requires(rules.GetValueOrDefault(c.Rule))}' cannot be judged")))
            .ToList();
        Update(seq, stage.Now, stage.Occupancy(), alerts, stage.Blind);
    }

    /// <summary>What a rule requires, in words: "at least 2 nurse or doctor in bay3 (alert after 10 min below)".</summary>
    public static string Requires(AvailabilityRule? rule)
    {
        if (rule is null) return "";
        string who = rule.Roles.Count == 0 ? (rule.MinimumCount == 1 ? "person" : "people") : string.Join(" or ", rule.Roles);
        return $"at least {rule.MinimumCount} {who} in {rule.Zone} (alert after {Words(rule.After)} below)";
    }

    private static string Words(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalMinutes % 60 == 0 ? $"{t.TotalHours:0} h"
        : t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{t.TotalMinutes:0} min"
        : $"{t.TotalSeconds:0.#} s";

    /// <summary>The occupancy and alerts as of event <paramref name="seq"/>; <paramref name="blind"/>: zones no working camera covers.</summary>
    public void Update(long seq, DateTimeOffset now, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> occupancy, IReadOnlyList<BoardAlert> alerts,
                       IReadOnlyDictionary<string, DateTimeOffset>? blind = null)
    {
        lock (_lock)
        {
            blind ??= new Dictionary<string, DateTimeOffset>();
            bool changed = seq != _seq || !SameAlerts(alerts, _alerts) || !blind.Keys.ToHashSet().SetEquals(_blind.Keys);
            _seq = seq;
            _now = now;
            _occupancy = occupancy;
            _alerts = alerts;
            _blind = new Dictionary<string, DateTimeOffset>(blind);
            DateTimeOffset shift = ShiftStart(now, _options.EffectiveShiftChanges, _zone);
            if (shift != _shiftStart)
            {
                _shiftStart = shift;
                _timeline.Clear();
            }
            long bucket = (long)((now - shift) / _options.TimelineBucket);
            DateTimeOffset at = shift + (bucket * _options.TimelineBucket);
            if (_timeline.Count == 0 || _timeline[^1].At != at) _timeline.Add(new TimelineColumn(at, new Dictionary<string, int>(StringComparer.Ordinal), [], [], []));
            TimelineColumn column = _timeline[^1];
            foreach (var (zone, byRole) in occupancy)
            {
                if (blind.ContainsKey(zone)) continue;   // unknown, not 0: marked blind instead
                column.Peak[zone] = Math.Max(column.Peak.GetValueOrDefault(zone), byRole.Values.Sum());
                if (!column.ByRole!.TryGetValue(zone, out Dictionary<string, int>? peaks)) column.ByRole[zone] = peaks = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var (role, n) in byRole) peaks[role] = Math.Max(peaks.GetValueOrDefault(role), n);
            }
            foreach (BoardAlert a in alerts) column.Alerts.Add(a.Zone);
            foreach (string zone in blind.Keys) column.Blind!.Add(zone);
            if (changed) Interlocked.Increment(ref _version);
        }
    }

    /// <summary>What survives a restart: the shift's timeline and the heatmap's minutes (saved by <see cref="BoardStore"/>).</summary>
    public BoardMemory Export()
    {
        lock (_lock)
            return new BoardMemory(_shiftStart, [.. _timeline.Select(Copy)],
                _grid.X0, _grid.Y0, _grid.Cell, _grid.Cols, _grid.Rows, [.. _heat.Select(h => new HeatMinute(h.Minute, [.. h.Cells]))]);
    }

    /// <summary>
    /// Takes back what a previous run saved: the timeline when it is of the shift running at <paramref name="now"/>, the
    /// heatmap's minutes when they cover the same floor grid and are still inside the window. Call after <see cref="SetPlan"/>.
    /// </summary>
    public void Import(BoardMemory saved, DateTimeOffset now)
    {
        lock (_lock)
        {
            DateTimeOffset shift = ShiftStart(now, _options.EffectiveShiftChanges, _zone);
            if (saved.ShiftStart == shift)
            {
                _shiftStart = shift;
                _timeline.Clear();
                _timeline.AddRange(saved.Timeline.Where(c => c.At >= shift && c.At <= now).Select(c => c with { ByRole = c.ByRole ?? [], Blind = c.Blind ?? [] }));
            }
            if (new Grid(saved.X0, saved.Y0, saved.Cell, saved.Cols, saved.Rows) == _grid)
            {
                long oldest = (now.ToUnixTimeSeconds() / 60) - (long)Math.Ceiling(_options.HeatmapWindow.TotalMinutes);
                _heat.Clear();
                foreach (HeatMinute m in saved.Heat.Where(m => m.Minute > oldest && m.Cells.Length == _grid.Cols * _grid.Rows).OrderBy(m => m.Minute))
                    _heat.Enqueue((m.Minute, m.Cells));
            }
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>The latest shift change at or before <paramref name="now"/> (local times of day in <paramref name="zone"/>).</summary>
    public static DateTimeOffset ShiftStart(DateTimeOffset now, IReadOnlyList<TimeSpan> changes, TimeZoneInfo zone)
    {
        DateTimeOffset local = TimeZoneInfo.ConvertTime(now, zone);
        DateTimeOffset best = DateTimeOffset.MinValue;
        foreach (int daysBack in new[] { 0, 1 })
            foreach (TimeSpan change in changes)
            {
                DateTime wall = local.Date.AddDays(-daysBack) + change;
                var candidate = new DateTimeOffset(wall, zone.GetUtcOffset(wall));
                if (candidate <= now && candidate > best) best = candidate;
            }
        return best.ToUniversalTime();
    }

    public BoardSnapshot Snapshot()
    {
        lock (_lock)
        {
            var zones = _plan?.Zones.Select(z =>
            {
                bool blind = _blind.TryGetValue(z.Zone.Id, out DateTimeOffset since);
                IReadOnlyDictionary<string, int> byRole = blind ? new Dictionary<string, int>() : _occupancy.GetValueOrDefault(z.Zone.Id) ?? new Dictionary<string, int>();
                return new BoardZone(z.Zone.Id, z.Zone.Kind, z.Zone.Polygon, byRole, blind ? null : byRole.Values.Sum(), blind, blind ? since : null,
                    _cameras.GetValueOrDefault(z.Zone.Id) ?? []);
            }).ToList() ?? [];
            var roles = zones.SelectMany(z => z.Occupancy.Keys).Concat(_people.Values.SelectMany(p => p.People).Select(p => p.Role))
                .Concat(_timeline.SelectMany(c => (c.ByRole ?? []).Values.SelectMany(r => r.Keys))).Append(_unknownRole)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(r => new BoardRole(r, RoleColours.Of(r, _unknownRole))).ToList();
            var doors = _plan?.Doors.Select(d => new BoardDoor(d.Definition.Id, [.. d.Definition.Line])).ToList() ?? [];
            var people = _people.Values.Where(p => _now - p.At <= PeopleFreshness).SelectMany(p => p.People).ToList();
            var heat = new int[_grid.Cols * _grid.Rows];
            foreach (var (_, cells) in _heat)
                for (int i = 0; i < heat.Length && i < cells.Length; i++) heat[i] += cells[i];
            return new BoardSnapshot(_seq, _now, _shiftStart, zones, doors, _alerts, people,
                new BoardHeatmap(_grid.X0, _grid.Y0, _grid.Cell, _grid.Cols, _grid.Rows, heat, _options.HeatmapWindow.TotalMinutes),
                new BoardTimeline(_options.TimelineBucket.TotalSeconds, _timeline.Select(Copy).ToList()), roles, []);
        }
    }

    private static TimelineColumn Copy(TimelineColumn c) => new(c.At, new Dictionary<string, int>(c.Peak), [.. c.Alerts],
        (c.ByRole ?? []).ToDictionary(kv => kv.Key, kv => new Dictionary<string, int>(kv.Value, StringComparer.Ordinal), StringComparer.Ordinal), [.. c.Blind ?? []]);

    /// <summary>
    /// The shift's timeline as CSV for a spreadsheet: one line per period, zone and role with the most people present
    /// (a line with role <c>*</c> for the zone's total), and whether an alert was raised or the zone was blind then.
    /// Times are ISO 8601 with the ward's UTC offset.
    /// </summary>
    public string TimelineCsv()
    {
        BoardSnapshot s = Snapshot();
        var csv = new System.Text.StringBuilder("period_start,zone,role,peak_people,alert,blind\n");
        foreach (TimelineColumn c in s.Timeline.Columns)
            foreach (BoardZone z in s.Zones)
            {
                string at = TimeZoneInfo.ConvertTime(c.At, _zone).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
                string flags = $"{(c.Alerts.Contains(z.Id) ? 1 : 0)},{(c.Blind!.Contains(z.Id) ? 1 : 0)}";
                string peak = c.Blind.Contains(z.Id) && !c.Peak.ContainsKey(z.Id) ? "" : c.Peak.GetValueOrDefault(z.Id).ToString(System.Globalization.CultureInfo.InvariantCulture);
                csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{at},{z.Id},*,{peak},{flags}\n");
                foreach (var (role, n) in (c.ByRole!.GetValueOrDefault(z.Id) ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{at},{z.Id},{Quote(role)},{n},{flags}\n");
            }
        return csv.ToString();
    }

    // A role is an operator's word: quoted when it holds a comma or quote; a leading formula character is neutralised.
    private static string Quote(string v)
    {
        if (v.Length > 0 && "=+-@".Contains(v[0])) v = "'" + v;
        return v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }

    private static bool SameAlerts(IReadOnlyList<BoardAlert> a, IReadOnlyList<BoardAlert> b) => a.Count == b.Count && a.Zip(b).All(p => p.First == p.Second);

    private readonly record struct Grid(double X0, double Y0, double Cell, int Cols, int Rows)
    {
        public static Grid Covering(FloorPlan plan, double cell)
        {
            var xs = plan.Zones.SelectMany(z => z.Zone.Polygon.Select(p => p[0])).ToList();
            var ys = plan.Zones.SelectMany(z => z.Zone.Polygon.Select(p => p[1])).ToList();
            if (xs.Count == 0) return new Grid(0, 0, cell, 0, 0);
            double x0 = Math.Floor(xs.Min()), y0 = Math.Floor(ys.Min());
            int cols = Math.Min(400, (int)Math.Ceiling((xs.Max() - x0) / cell) + 1), rows = Math.Min(400, (int)Math.Ceiling((ys.Max() - y0) / cell) + 1);
            return new Grid(x0, y0, cell, cols, rows);
        }

        public int? IndexOf(double x, double y)
        {
            int c = (int)Math.Floor((x - X0) / Cell), r = (int)Math.Floor((y - Y0) / Cell);
            return c >= 0 && c < Cols && r >= 0 && r < Rows ? (r * Cols) + c : null;
        }
    }
}

public sealed record BoardPerson(double X, double Y, string Role, string Colour = RoleColours.Unknown);

/// <summary>A raised alert: <see cref="Kind"/> <c>unstaffed</c> (below the rule since <see cref="UnstaffedSince"/>) or <c>coverage</c> (blind since then); <see cref="Requires"/> in words.</summary>
public sealed record BoardAlert(string Rule, string Zone, DateTimeOffset UnstaffedSince, string Kind = "unstaffed", string Requires = "");

/// <summary>A zone as drawn: <see cref="Total"/> is null while it is <see cref="Blind"/> (unknown, never 0).</summary>
public sealed record BoardZone(string Id, string Kind, IReadOnlyList<double[]> Polygon, IReadOnlyDictionary<string, int> Occupancy, int? Total,
                               bool Blind = false, DateTimeOffset? BlindSince = null, IReadOnlyList<string>? Cameras = null);
public sealed record BoardRole(string Role, string Colour);

/// <summary>A camera as the dashboard shows it: delivering, degraded, down or starting, why, and since when.</summary>
public sealed record BoardCamera(string Id, string State, string Reason, DateTimeOffset? Since, IReadOnlyList<string> Zones);
public sealed record BoardDoor(string Id, double[][] Line);
public sealed record BoardHeatmap(double X0, double Y0, double Cell, int Cols, int Rows, int[] Counts, double WindowMinutes);
/// <summary>One period of the shift: the most people present per zone (<see cref="Peak"/>) and per zone and role, zones with an alert or blind.</summary>
public sealed record TimelineColumn(DateTimeOffset At, Dictionary<string, int> Peak, HashSet<string> Alerts,
                                    Dictionary<string, Dictionary<string, int>>? ByRole = null, HashSet<string>? Blind = null);
public sealed record BoardTimeline(double BucketSeconds, IReadOnlyList<TimelineColumn> Columns);
public sealed record HeatMinute(long Minute, int[] Cells);

/// <summary>The dashboard's memory, saved so a restart does not blank the shift's timeline and the last hour's heatmap.</summary>
public sealed record BoardMemory(DateTimeOffset ShiftStart, List<TimelineColumn> Timeline, double X0, double Y0, double Cell, int Cols, int Rows, List<HeatMinute> Heat);

/// <summary>The dashboard at one moment; <see cref="Seq"/> is the last event accepted when it was taken.</summary>
public sealed record BoardSnapshot(long Seq, DateTimeOffset At, DateTimeOffset ShiftStart, IReadOnlyList<BoardZone> Zones, IReadOnlyList<BoardDoor> Doors,
    IReadOnlyList<BoardAlert> Alerts, IReadOnlyList<BoardPerson> People, BoardHeatmap Heatmap, BoardTimeline Timeline,
    IReadOnlyList<BoardRole> Roles, IReadOnlyList<BoardCamera> Cameras);

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
    public void SetPlan(FloorPlan plan)
    {
        lock (_lock)
        {
            _plan = plan;
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
            if (double.IsFinite(p.FloorX) && double.IsFinite(p.FloorY)) people.Add(new BoardPerson(Math.Round(p.FloorX, 2), Math.Round(p.FloorY, 2), roleOf(p)));
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
    public void Update(long seq, Pipeline.EventStage stage) =>
        Update(seq, stage.Now, stage.Occupancy(), stage.State.Alerts.Select(a => new BoardAlert(a.Rule, a.Zone, a.UnstaffedSince)).ToList());

    /// <summary>The occupancy and alerts as of event <paramref name="seq"/>.</summary>
    public void Update(long seq, DateTimeOffset now, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> occupancy, IReadOnlyList<BoardAlert> alerts)
    {
        lock (_lock)
        {
            bool changed = seq != _seq || !SameAlerts(alerts, _alerts);
            _seq = seq;
            _now = now;
            _occupancy = occupancy;
            _alerts = alerts;
            DateTimeOffset shift = ShiftStart(now, _options.EffectiveShiftChanges, _zone);
            if (shift != _shiftStart)
            {
                _shiftStart = shift;
                _timeline.Clear();
            }
            long bucket = (long)((now - shift) / _options.TimelineBucket);
            DateTimeOffset at = shift + (bucket * _options.TimelineBucket);
            if (_timeline.Count == 0 || _timeline[^1].At != at) _timeline.Add(new TimelineColumn(at, new Dictionary<string, int>(StringComparer.Ordinal), []));
            TimelineColumn column = _timeline[^1];
            foreach (var (zone, byRole) in occupancy)
                column.Peak[zone] = Math.Max(column.Peak.GetValueOrDefault(zone), byRole.Values.Sum());
            foreach (BoardAlert a in alerts) column.Alerts.Add(a.Zone);
            if (changed) Interlocked.Increment(ref _version);
        }
    }

    /// <summary>What survives a restart: the shift's timeline and the heatmap's minutes (saved by <see cref="BoardStore"/>).</summary>
    public BoardMemory Export()
    {
        lock (_lock)
            return new BoardMemory(_shiftStart, [.. _timeline.Select(c => new TimelineColumn(c.At, new Dictionary<string, int>(c.Peak), [.. c.Alerts]))],
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
                _timeline.AddRange(saved.Timeline.Where(c => c.At >= shift && c.At <= now));
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
                IReadOnlyDictionary<string, int> byRole = _occupancy.GetValueOrDefault(z.Zone.Id) ?? new Dictionary<string, int>();
                return new BoardZone(z.Zone.Id, z.Zone.Kind, z.Zone.Polygon, byRole, byRole.Values.Sum());
            }).ToList() ?? [];
            var doors = _plan?.Doors.Select(d => new BoardDoor(d.Definition.Id, [.. d.Definition.Line])).ToList() ?? [];
            var people = _people.Values.Where(p => _now - p.At <= PeopleFreshness).SelectMany(p => p.People).ToList();
            var heat = new int[_grid.Cols * _grid.Rows];
            foreach (var (_, cells) in _heat)
                for (int i = 0; i < heat.Length && i < cells.Length; i++) heat[i] += cells[i];
            return new BoardSnapshot(_seq, _now, _shiftStart, zones, doors, _alerts, people,
                new BoardHeatmap(_grid.X0, _grid.Y0, _grid.Cell, _grid.Cols, _grid.Rows, heat, _options.HeatmapWindow.TotalMinutes),
                new BoardTimeline(_options.TimelineBucket.TotalSeconds, _timeline.Select(c => new TimelineColumn(c.At, new Dictionary<string, int>(c.Peak), [.. c.Alerts])).ToList()));
        }
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

public sealed record BoardPerson(double X, double Y, string Role);
public sealed record BoardAlert(string Rule, string Zone, DateTimeOffset UnstaffedSince);
public sealed record BoardZone(string Id, string Kind, IReadOnlyList<double[]> Polygon, IReadOnlyDictionary<string, int> Occupancy, int Total);
public sealed record BoardDoor(string Id, double[][] Line);
public sealed record BoardHeatmap(double X0, double Y0, double Cell, int Cols, int Rows, int[] Counts, double WindowMinutes);
public sealed record TimelineColumn(DateTimeOffset At, Dictionary<string, int> Peak, HashSet<string> Alerts);
public sealed record BoardTimeline(double BucketSeconds, IReadOnlyList<TimelineColumn> Columns);
public sealed record HeatMinute(long Minute, int[] Cells);

/// <summary>The dashboard's memory, saved so a restart does not blank the shift's timeline and the last hour's heatmap.</summary>
public sealed record BoardMemory(DateTimeOffset ShiftStart, List<TimelineColumn> Timeline, double X0, double Y0, double Cell, int Cols, int Rows, List<HeatMinute> Heat);

/// <summary>The dashboard at one moment; <see cref="Seq"/> is the last event accepted when it was taken.</summary>
public sealed record BoardSnapshot(long Seq, DateTimeOffset At, DateTimeOffset ShiftStart, IReadOnlyList<BoardZone> Zones, IReadOnlyList<BoardDoor> Doors,
    IReadOnlyList<BoardAlert> Alerts, IReadOnlyList<BoardPerson> People, BoardHeatmap Heatmap, BoardTimeline Timeline);

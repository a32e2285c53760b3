using EdgeAgent.Capture;
using EdgeAgent.Zones;

namespace EdgeAgent.Ward;

/// <summary>
/// Which cameras see each zone, so a zone whose cameras are all down is known to be blind rather than empty. A camera
/// covers a zone when at least <see cref="MinVisibleFraction"/> of the zone's floor lies inside its calibrated view
/// (the zone sampled on a grid, each point mapped into the frame and kept when it falls within it, in front of the
/// camera); <c>Zones:Areas:N:Cameras</c> names them instead where the footprint misleads (a wall the floor mapping
/// cannot know about). A zone no camera covers is <see cref="Unwatched"/>: nothing can be said about it.
/// </summary>
public sealed class ZoneCoverage
{
    /// <summary>A fifth of a zone in view: a camera that sees a doorway's corner of a bay does not count as watching the bay.</summary>
    public const double MinVisibleFraction = 0.2;

    private readonly Dictionary<string, IReadOnlyList<string>> _cameras;

    private ZoneCoverage(Dictionary<string, IReadOnlyList<string>> cameras) => _cameras = cameras;

    /// <summary>The cameras covering each zone, by zone id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CamerasOf => _cameras;

    /// <summary>Zones no camera covers.</summary>
    public IReadOnlyList<string> Unwatched => _cameras.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList();

    public static ZoneCoverage Of(FloorPlan plan, IEnumerable<CameraOptions> cameras)
    {
        var views = new List<(string Id, FloorHomography View)>();
        foreach (CameraOptions c in cameras)
            if (c.Calibration is { } cal && WardStage.Fit(cal, out _) is { } h) views.Add((c.Id, h));
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (zone, shape) in plan.Zones)
            result[zone.Id] = zone.Cameras is { } named
                ? named
                : views.Where(v => VisibleFraction(shape, v.View) >= MinVisibleFraction).Select(v => v.Id).ToList();
        return new ZoneCoverage(result);
    }

    /// <summary>Zones that have covering cameras, none of which <paramref name="sees"/> now.</summary>
    public IReadOnlySet<string> Blind(Func<string, bool> sees) =>
        _cameras.Where(kv => kv.Value.Count > 0 && !kv.Value.Any(sees)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>The share of the polygon's floor that maps inside the camera frame (a 24 × 24 grid over its bounds).</summary>
    public static double VisibleFraction(FloorPolygon shape, FloorHomography view)
    {
        const int N = 24;
        double x0 = shape.Points.Min(p => p.X), x1 = shape.Points.Max(p => p.X), y0 = shape.Points.Min(p => p.Y), y1 = shape.Points.Max(p => p.Y);
        int inside = 0, seen = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
            {
                double x = x0 + (x1 - x0) * (i + 0.5) / N, y = y0 + (y1 - y0) * (j + 0.5) / N;
                if (!shape.Contains(x, y)) continue;
                inside++;
                if (view.ToImage(x, y) is { } uv && uv.U is >= 0 and <= 1 && uv.V is >= 0 and <= 1) seen++;
            }
        return inside == 0 ? 0 : seen / (double)inside;
    }
}

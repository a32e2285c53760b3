namespace EdgeAgent.Zones;

/// <summary>A simple polygon on the floor (metres). Points on the edge count as inside.</summary>
public sealed class FloorPolygon
{
    private readonly (double X, double Y)[] _points;

    private FloorPolygon((double X, double Y)[] points) => _points = points;

    public IReadOnlyList<(double X, double Y)> Points => _points;

    /// <summary>Builds the polygon or says why it cannot: fewer than 3 points, no area, or edges that cross.</summary>
    public static FloorPolygon? Create(IReadOnlyList<double[]> points, out string? problem)
    {
        problem = null;
        if (points.Count < 3) problem = $"needs at least 3 points [x, y], got {points.Count}";
        else if (points.Any(p => p is null || p.Length != 2 || !double.IsFinite(p[0]) || !double.IsFinite(p[1]))) problem = "every point is [x, y] in metres";
        if (problem is not null) return null;
        var pts = points.Select(p => (p[0], p[1])).ToArray();
        for (int i = 0; i < pts.Length; i++)
            for (int j = i + 1; j < pts.Length; j++)
            {
                if (j == i + 1 || (i == 0 && j == pts.Length - 1)) continue;   // neighbours share a corner
                if (SegmentsCross(pts[i], pts[(i + 1) % pts.Length], pts[j], pts[(j + 1) % pts.Length]))
                {
                    problem = $"edges {i}–{(i + 1) % pts.Length} and {j}–{(j + 1) % pts.Length} cross (list the corners in order around the zone)";
                    return null;
                }
            }
        if (Math.Abs(SignedArea(pts)) < 1e-6) { problem = "has no area (points on one line or repeated)"; return null; }
        return new FloorPolygon(pts);
    }

    /// <summary>Even–odd rule; a point on an edge is inside.</summary>
    public bool Contains(double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = _points.Length - 1; i < _points.Length; j = i++)
        {
            var (xi, yi) = _points[i];
            var (xj, yj) = _points[j];
            if (OnSegment((xj, yj), (xi, yi), (x, y))) return true;
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }

    private static double SignedArea((double X, double Y)[] p)
    {
        double a = 0;
        for (int i = 0, j = p.Length - 1; i < p.Length; j = i++) a += (p[j].X * p[i].Y) - (p[i].X * p[j].Y);
        return a / 2;
    }

    private static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) => ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));

    private static bool OnSegment((double X, double Y) a, (double X, double Y) b, (double X, double Y) p) =>
        Math.Abs(Cross(a, b, p)) < 1e-9 && p.X >= Math.Min(a.X, b.X) - 1e-9 && p.X <= Math.Max(a.X, b.X) + 1e-9
        && p.Y >= Math.Min(a.Y, b.Y) - 1e-9 && p.Y <= Math.Max(a.Y, b.Y) + 1e-9;

    /// <summary>Proper crossing or touching of two segments.</summary>
    internal static bool SegmentsCross((double X, double Y) a, (double X, double Y) b, (double X, double Y) c, (double X, double Y) d)
    {
        double d1 = Cross(c, d, a), d2 = Cross(c, d, b), d3 = Cross(a, b, c), d4 = Cross(a, b, d);
        if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
        return OnSegment(c, d, a) || OnSegment(c, d, b) || OnSegment(a, b, c) || OnSegment(a, b, d);
    }
}

namespace EdgeAgent.Zones;

/// <summary>A door on the floor: which side of it a point is on, with a dead band that hides jitter on the threshold.</summary>
public sealed class DoorLine
{
    private readonly (double X, double Y) _a, _b;
    private readonly double _length, _sign, _hysteresis, _reach;

    private DoorLine(DoorDefinition d, double hysteresis, double reach)
    {
        Definition = d;
        _a = (d.Line[0][0], d.Line[0][1]);
        _b = (d.Line[1][0], d.Line[1][1]);
        _length = Math.Sqrt(((_b.X - _a.X) * (_b.X - _a.X)) + ((_b.Y - _a.Y) * (_b.Y - _a.Y)));
        _sign = d.Inside == DoorSide.Left ? 1 : -1;
        _hysteresis = hysteresis;
        _reach = reach;
    }

    public DoorDefinition Definition { get; }

    public static DoorLine? Create(DoorDefinition d, double hysteresis, double reach, out string? problem)
    {
        problem = null;
        if (d.Line.Count != 2 || d.Line.Any(p => p is null || p.Length != 2 || !double.IsFinite(p[0]) || !double.IsFinite(p[1])))
            problem = "needs exactly 2 points [x, y] in metres";
        else if (Math.Abs(d.Line[0][0] - d.Line[1][0]) + Math.Abs(d.Line[0][1] - d.Line[1][1]) < 0.05)
            problem = "its two points are the same (a door is at least 5 cm wide)";
        return problem is null ? new DoorLine(d, hysteresis, reach) : null;
    }

    /// <summary>
    /// +1 inside, −1 outside (clearly past the dead band, within reach of the opening); 0 within the dead band;
    /// null when the point is not near the door at all (beside the wall, or far away).
    /// </summary>
    public int? SideOf(double x, double y)
    {
        double ux = (_b.X - _a.X) / _length, uy = (_b.Y - _a.Y) / _length;
        double along = ((x - _a.X) * ux) + ((y - _a.Y) * uy);           // metres along the door from its first point
        double across = (ux * (y - _a.Y)) - (uy * (x - _a.X));          // metres to the left of the line
        if (along < -0.25 || along > _length + 0.25 || Math.Abs(across) > _reach) return null;
        if (Math.Abs(across) < _hysteresis) return 0;
        return across * _sign > 0 ? 1 : -1;
    }
}

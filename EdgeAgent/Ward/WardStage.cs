using EdgeAgent.Tracking;
using EdgeAgent.Capture;

namespace EdgeAgent.Ward;

/// <summary>
/// Tracks → ward: each camera's feet positions mapped to the floor with its homography, and one ward identity
/// per person across cameras. Used from one thread, the consumer of the track channel.
/// </summary>
public sealed class WardStage
{
    private const float EdgeMargin = 3;   // pixels: a box this close to the side of the image may be cut
    private readonly Dictionary<string, FloorHomography> _floor = new(StringComparer.Ordinal);
    private readonly WardIdentityRegistry _registry;
    private readonly TimeOrderedMerge _merge;

    public WardStage(IEnumerable<CameraOptions> cameras, WardOptions options, TimeProvider time)
    {
        Recalibrate(cameras);
        _registry = new WardIdentityRegistry(options, time);
        _merge = new TimeOrderedMerge(time);
    }

    /// <summary>Each camera's floor mapping from its calibration (at start, and when the editor saves new ones).</summary>
    public void Recalibrate(IEnumerable<CameraOptions> cameras)
    {
        _floor.Clear();
        foreach (CameraOptions c in cameras)
        {
            if (c.Calibration is null) continue;
            FloorHomography h = Fit(c.Calibration, out string? problem)
                ?? throw new InvalidOperationException($"camera '{c.Id}': {problem}");   // the validator reports this first
            _floor[c.Id] = h;
        }
    }

    /// <summary>The camera stopped delivering: the people it saw last are kept for when it returns (see <see cref="WardIdentityRegistry.CameraDown"/>).</summary>
    public void CameraDown(string camera) => _registry.CameraDown(camera);

    /// <summary>The camera delivers again: its new tracks may take up the identities it saw before the outage.</summary>
    public void CameraUp(string camera) => _registry.CameraUp(camera);

    /// <summary>
    /// Takes the next snapshot from the track channel and returns the ward snapshots now ready, in time order
    /// across cameras (possibly none, possibly several).
    /// </summary>
    public IReadOnlyList<WardSnapshot> Add(TrackSnapshot snapshot) => _merge.Add(snapshot).Select(Process).ToList();

    /// <summary>The snapshots still held for ordering (end of a replay).</summary>
    public IReadOnlyList<WardSnapshot> Flush() => _merge.Flush().Select(Process).ToList();

    /// <summary>Reprojection error (metres) of each calibrated camera, for the start-up log.</summary>
    public IReadOnlyDictionary<string, double> ReprojectionErrors => _floor.ToDictionary(kv => kv.Key, kv => kv.Value.ReprojectionErrorMetres);

    private WardSnapshot Process(TrackSnapshot snapshot)
    {
        _floor.TryGetValue(snapshot.CameraId, out FloorHomography? h);
        var observations = new WardObservation[snapshot.Tracks.Count];
        for (int i = 0; i < observations.Length; i++)
        {
            TrackedPerson p = snapshot.Tracks[i];
            var (fx, fy) = p.Box.Feet;
            (double X, double Y) floor = h is null ? (double.NaN, double.NaN) : h.Map((double)fx / snapshot.FrameWidth, (double)fy / snapshot.FrameHeight);
            bool atEdge = p.Box.X1 <= EdgeMargin || p.Box.X2 >= snapshot.FrameWidth - EdgeMargin;
            observations[i] = new WardObservation(p.TrackId, floor.X, floor.Y, p.Appearance, atEdge);
        }
        double seconds = TimeOrderedMerge.TimeOf(snapshot);
        var ids = _registry.Observe(snapshot.CameraId, seconds, observations);
        var people = new WardPerson[observations.Length];
        for (int i = 0; i < people.Length; i++)
            people[i] = new WardPerson(snapshot.Tracks[i].TrackId, ids[i].Index, ids[i].Pseudonym, snapshot.Tracks[i].Box, observations[i].FloorX, observations[i].FloorY,
                snapshot.Tracks[i].Role, snapshot.Tracks[i].RoleConfidence, snapshot.Tracks[i].Score);
        return new WardSnapshot(snapshot.CameraId, snapshot.Sequence, snapshot.CapturedAt, people, snapshot.MediaTime);
    }

    public static FloorHomography? Fit(CalibrationOptions c, out string? problem)
    {
        if (c.ImagePoints.Any(p => p.Length != 2) || c.FloorPoints.Any(p => p.Length != 2))
        {
            problem = "every point is [x, y]";
            return null;
        }
        if (c.ImagePoints.Any(p => p[0] is < 0 or > 1 || p[1] is < 0 or > 1))
        {
            problem = "image points are normalised to 0..1 of the camera frame";
            return null;
        }
        return FloorHomography.Fit(c.ImagePoints.Select(p => (p[0], p[1])).ToList(), c.FloorPoints.Select(p => (p[0], p[1])).ToList(), out problem);
    }
}

/// <summary>One camera's people after the ward stage: floor position (metres; NaN when uncalibrated) and ward identity.</summary>
public sealed record WardSnapshot(string CameraId, long Sequence, DateTimeOffset CapturedAt, IReadOnlyList<WardPerson> People, TimeSpan? MediaTime = null);

/// <summary>
/// A person in a ward snapshot. <see cref="WardIndex"/> is local to this run; <see cref="Pseudonym"/> is what may leave
/// the device. <see cref="Role"/> is the camera track's uniform role (null when none is recognised).
/// </summary>
public readonly record struct WardPerson(int TrackId, int WardIndex, string Pseudonym, Tracking.BoundingBox Box, double FloorX, double FloorY,
                                         string? Role = null, float RoleConfidence = 0, float Score = 1);

using System.Collections.Concurrent;
using EdgeAgent.Configuration;
using EdgeAgent.Frames;
using EdgeAgent.Tracking;
using EdgeAgent.Ward;
using OpenCvSharp;

namespace EdgeAgent.Web;

/// <summary>
/// The live view: while someone watches a camera, its pipeline hands over a frame at most every
/// <see cref="WebOptions.LiveFrameInterval"/>; it is mosaicked at the camera stage like a sampled frame (every detection
/// down to the lowest score and every track), then tracks with their roles, the zones and the doors are drawn on it and
/// it is JPEG-encoded. Raw pixels never reach the web server. Nothing is made while nobody watches.
/// </summary>
public sealed class LiveFrames : Pipeline.ILiveFrames
{
    private static readonly TimeSpan WatchFor = TimeSpan.FromSeconds(10);

    private sealed class Slot
    {
        public long WatchedUntil;            // timestamp; written by requests, read by the pipeline
        public long NextAt;                  // timestamp; the pipeline's thread only
        public volatile byte[]? Jpeg;
        public long Version;
        public TaskCompletionSource Next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Overlay(IReadOnlyDictionary<string, FloorHomography> Floor, IReadOnlyList<(string Id, IReadOnlyList<double[]> Polygon)> Zones,
                                  IReadOnlyList<(string Id, IReadOnlyList<double[]> Line)> Doors);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly FrameAnonymiser _anonymiser;
    private readonly TimeProvider _time;
    private readonly long _interval;
    private volatile Overlay _overlay = new(new Dictionary<string, FloorHomography>(), [], []);

    public LiveFrames(WebOptions options, FrameOptions frames, TimeProvider time)
    {
        _anonymiser = new FrameAnonymiser(frames);
        _time = time;
        _interval = (long)(options.LiveFrameInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>The calibrations and zones drawn on the frames (at start and after the editor saves).</summary>
    public void SetOverlay(AgentSettings settings)
    {
        RoleColours.Configure(settings.Roles.Uniforms.Select(u => u.Role));
        var floor = new Dictionary<string, FloorHomography>(StringComparer.Ordinal);
        foreach (var c in settings.Capture.Cameras)
            if (c.Calibration is { } cal && WardStage.Fit(cal, out _) is { } h) floor[c.Id] = h;
        _overlay = new Overlay(floor,
            settings.Zones.Areas.Select(a => (a.Id, (IReadOnlyList<double[]>)a.Polygon)).ToList(),
            settings.Zones.Doors.Select(d => (d.Id, (IReadOnlyList<double[]>)d.Line)).ToList());
    }

    /// <summary>A viewer asks for a camera: frames are made for the next 10 seconds.</summary>
    public void Watch(string cameraId)
    {
        Slot slot = _slots.GetOrAdd(cameraId, _ => new Slot());
        Interlocked.Exchange(ref slot.WatchedUntil, _time.GetTimestamp() + (long)(WatchFor.TotalSeconds * _time.TimestampFrequency));
    }

    /// <summary>The latest frame, or null before the first since watching began.</summary>
    public (byte[] Jpeg, long Version)? Latest(string cameraId) =>
        _slots.TryGetValue(cameraId, out Slot? s) && s.Jpeg is { } jpeg ? (jpeg, Interlocked.Read(ref s.Version)) : null;

    /// <summary>Waits for a frame newer than <paramref name="after"/> (keeps the camera watched while waiting).</summary>
    public async Task<(byte[] Jpeg, long Version)?> NextAsync(string cameraId, long after, TimeSpan timeout, CancellationToken ct)
    {
        Watch(cameraId);
        Slot slot = _slots[cameraId];
        Task next = slot.Next.Task;
        if (slot.Jpeg is { } jpeg && Interlocked.Read(ref slot.Version) > after) return (jpeg, Interlocked.Read(ref slot.Version));
        try { await next.WaitAsync(timeout, _time, ct).ConfigureAwait(false); }
        catch (TimeoutException) { return null; }
        return Latest(cameraId);
    }

    /// <summary>True when a frame of this camera should be made now (someone watches and the interval has passed).</summary>
    public bool Wanted(string cameraId)
    {
        if (!_slots.TryGetValue(cameraId, out Slot? slot)) return false;
        long now = _time.GetTimestamp();
        return now <= Interlocked.Read(ref slot.WatchedUntil) && now >= slot.NextAt;
    }

    /// <summary>
    /// Called by the camera's pipeline after tracking. Cheap when nobody watches or the interval has not passed.
    /// Boxes in frame pixels; <paramref name="hide"/> is every detection and track (all are mosaicked).
    /// </summary>
    public void Offer(string cameraId, Mat image, Frames.PrivacyMask hide, IReadOnlyList<(BoundingBox Box, int Id, string? Role)> tracks)
    {
        if (!_slots.TryGetValue(cameraId, out Slot? slot)) return;
        long now = _time.GetTimestamp();
        if (now > Interlocked.Read(ref slot.WatchedUntil) || now < slot.NextAt) return;
        slot.NextAt = now + _interval;
        using Mat view = _anonymiser.AnonymisedCopy(image, hide);
        Draw(view, cameraId, tracks);
        slot.Jpeg = _anonymiser.Encode(view);
        Interlocked.Increment(ref slot.Version);
        TaskCompletionSource done = Interlocked.Exchange(ref slot.Next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        done.TrySetResult();
    }

    private void Draw(Mat view, string cameraId, IReadOnlyList<(BoundingBox Box, int Id, string? Role)> tracks)
    {
        Overlay overlay = _overlay;
        if (overlay.Floor.TryGetValue(cameraId, out FloorHomography? floor))
        {
            foreach (var (id, polygon) in overlay.Zones)
                DrawFloorPath(view, floor, polygon, closed: true, new Scalar(255, 200, 0), id);
            foreach (var (id, line) in overlay.Doors)
                DrawFloorPath(view, floor, line, closed: false, new Scalar(0, 140, 255), id);
        }
        foreach (var (box, id, role) in tracks)
        {
            Scalar colour = RoleColours.Bgr(RoleColours.Of(role));   // as the dashboard draws this role
            var rect = new Rect((int)box.X1, (int)box.Y1, Math.Max(1, (int)(box.X2 - box.X1)), Math.Max(1, (int)(box.Y2 - box.Y1)));
            Cv2.Rectangle(view, rect, colour, 2);
            Cv2.PutText(view, $"#{id} {role ?? "unknown"}", new Point(rect.X, Math.Max(12, rect.Y - 4)), HersheyFonts.HersheySimplex, 0.45, colour, 1, LineTypes.AntiAlias);
        }
    }

    // A floor polygon or line drawn through the camera's homography; edges are subdivided so a part behind the
    // camera's horizon is left out instead of wrapping round.
    private static void DrawFloorPath(Mat view, FloorHomography floor, IReadOnlyList<double[]> points, bool closed, Scalar colour, string label)
    {
        int n = points.Count;
        int edges = closed ? n : n - 1;
        var pixels = new List<Point>();
        for (int e = 0; e < edges; e++)
        {
            double[] a = points[e], b = points[(e + 1) % n];
            for (int k = 0; k <= 16; k++)
            {
                double t = k / 16.0;
                if (floor.ToImage(a[0] + ((b[0] - a[0]) * t), a[1] + ((b[1] - a[1]) * t)) is not { } uv) continue;
                pixels.Add(new Point((int)Math.Clamp(uv.U * view.Width, -10_000, 10_000), (int)Math.Clamp(uv.V * view.Height, -10_000, 10_000)));
            }
        }
        if (pixels.Count < 2) return;
        Cv2.Polylines(view, [pixels], closed, colour, 2, LineTypes.AntiAlias);
        Point anchor = pixels.Where(p => p.X >= 0 && p.Y >= 12 && p.X < view.Width - 40 && p.Y < view.Height).DefaultIfEmpty(new Point(-1, -1)).First();
        if (anchor.X >= 0) Cv2.PutText(view, label, new Point(anchor.X + 4, anchor.Y - 4), HersheyFonts.HersheySimplex, 0.5, colour, 1, LineTypes.AntiAlias);
    }
}

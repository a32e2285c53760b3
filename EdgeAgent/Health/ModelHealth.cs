using EdgeAgent.Tracking;

namespace EdgeAgent.Health;

/// <summary>
/// Model health for MLOps: per camera, histograms of detection confidence, detections per frame and track length (in
/// frames, counted when a track ends), accumulated between reports and reset by <see cref="TakeReport"/>. A drifting
/// camera (a moved lens, new lighting, a model that no longer fits) shows as a shift of these, fleet-wide, without a
/// single image leaving the ward. Used from the event loop's thread only.
/// </summary>
public sealed class ModelHealth
{
    /// <summary>Upper bounds of the bins (the last bin is open): confidence in tenths, detections per frame, track length in frames.</summary>
    public static readonly double[] ConfidenceBins = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    public static readonly double[] DetectionBins = [0, 1, 2, 3, 5, 10, 20, double.PositiveInfinity];
    public static readonly double[] TrackLengthBins = [4, 9, 24, 49, 99, 249, double.PositiveInfinity];

    private sealed class Camera
    {
        public readonly long[] Confidence = new long[ConfidenceBins.Length];
        public readonly long[] Detections = new long[DetectionBins.Length];
        public readonly long[] TrackLength = new long[TrackLengthBins.Length];
        public readonly Dictionary<int, int> Alive = [];   // track id → frames seen
        public readonly HashSet<int> Seen = [];
        public readonly List<int> Ended = [];
        public long Frames;
    }

    private readonly Dictionary<string, Camera> _cameras = new(StringComparer.Ordinal);

    public void Observe(TrackSnapshot s)
    {
        if (!_cameras.TryGetValue(s.CameraId, out Camera? c)) _cameras[s.CameraId] = c = new Camera();
        c.Frames++;
        foreach (var d in s.Detections) c.Confidence[Bin(ConfidenceBins, d.Score)]++;
        c.Detections[Bin(DetectionBins, s.Detections.Count)]++;
        // Once per frame: the working sets are reused, nothing is allocated.
        c.Seen.Clear();
        foreach (var t in s.Tracks)
        {
            c.Seen.Add(t.TrackId);
            c.Alive[t.TrackId] = c.Alive.GetValueOrDefault(t.TrackId) + 1;
        }
        c.Ended.Clear();
        foreach (var (id, frames) in c.Alive)
            if (!c.Seen.Contains(id))
            {
                c.TrackLength[Bin(TrackLengthBins, frames)]++;
                c.Ended.Add(id);
            }
        foreach (int id in c.Ended) c.Alive.Remove(id);
    }

    /// <summary>The histograms since the last report, per camera; the counts start again from zero.</summary>
    public IReadOnlyList<Zones.ModelHealthReport.Camera> TakeReport()
    {
        var report = _cameras.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new Zones.ModelHealthReport.Camera(kv.Key, kv.Value.Frames, kv.Value.Confidence.ToArray(), kv.Value.Detections.ToArray(), kv.Value.TrackLength.ToArray()))
            .ToList();
        foreach (Camera c in _cameras.Values)
        {
            Array.Clear(c.Confidence);
            Array.Clear(c.Detections);
            Array.Clear(c.TrackLength);
            c.Frames = 0;
        }
        return report;
    }

    private static int Bin(double[] upper, double value)
    {
        for (int i = 0; i < upper.Length; i++)
            if (value <= upper[i]) return i;
        return upper.Length - 1;
    }
}

using EdgeAgent.Tracking;

namespace EdgeAgent.Ward;

/// <summary>
/// Puts the snapshots of concurrently processed cameras back into one time order before the ward stage compares
/// them: a snapshot is released once every camera still delivering has reached its time. A camera that has
/// delivered nothing for <see cref="MaxWait"/> (wall clock) is not waited for, so a dead camera cannot stall the ward.
/// </summary>
public sealed class TimeOrderedMerge(TimeProvider time)
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private readonly PriorityQueue<TrackSnapshot, (double Time, long Order)> _pending = new();
    private readonly Dictionary<string, (double Time, long WallTicks)> _latest = new(StringComparer.Ordinal);
    private long _order;

    public static double TimeOf(TrackSnapshot s) => s.MediaTime?.TotalSeconds ?? s.CapturedAt.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Adds a snapshot; returns the snapshots now safe to process, oldest first.</summary>
    public List<TrackSnapshot> Add(TrackSnapshot snapshot)
    {
        double t = TimeOf(snapshot);
        _latest[snapshot.CameraId] = (t, time.GetTimestamp());
        _pending.Enqueue(snapshot, (t, _order++));
        var ready = new List<TrackSnapshot>();
        double horizon = double.MaxValue;
        foreach (var (_, latest) in _latest)
            if (time.GetElapsedTime(latest.WallTicks) < MaxWait) horizon = Math.Min(horizon, latest.Time);
        while (_pending.TryPeek(out _, out var key) && key.Time <= horizon) ready.Add(_pending.Dequeue());
        return ready;
    }

    /// <summary>Everything still held, oldest first (at the end of a replay).</summary>
    public List<TrackSnapshot> Flush()
    {
        var all = new List<TrackSnapshot>();
        while (_pending.TryDequeue(out TrackSnapshot? s, out _)) all.Add(s);
        return all;
    }
}

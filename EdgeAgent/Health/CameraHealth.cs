using System.Diagnostics;

namespace EdgeAgent.Health;

/// <summary>
/// Counters and state of one camera. Written by its capture thread, its pipeline loop and the watchdog;
/// read by status reporting. Every counter is also sent to <see cref="EdgeMetrics"/> with the camera tag.
/// </summary>
public sealed class CameraHealth(string cameraId)
{
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private readonly KeyValuePair<string, object?> _tag = new("camera.id", cameraId);
    private long _captured, _processed, _reconnects, _stalls, _decodeErrors, _trackerResets;
    private long _lastFrameTicks;

    public string CameraId { get; } = cameraId;
    private volatile bool _connected;
    private long _connectedTicks, _lastProcessedTicks;

    /// <summary>The camera delivers (set by its capture loop); becoming connected is time-stamped for the watchdog.</summary>
    public bool Connected
    {
        get => _connected;
        set
        {
            if (value && !_connected) Interlocked.Exchange(ref _connectedTicks, Stopwatch.GetTimestamp());
            _connected = value;
        }
    }

    /// <summary>Monotonic timestamp of the last (re)connection; 0 before the first.</summary>
    public long ConnectedTimestamp => Interlocked.Read(ref _connectedTicks);

    /// <summary>Monotonic timestamp of the last frame through the whole pipeline; 0 before the first.</summary>
    public long LastProcessedTimestamp => Interlocked.Read(ref _lastProcessedTicks);
    public volatile string? LastError;

    public long FramesCaptured => Interlocked.Read(ref _captured);
    public long FramesProcessed => Interlocked.Read(ref _processed);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long Stalls => Interlocked.Read(ref _stalls);
    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);
    public long TrackerResets => Interlocked.Read(ref _trackerResets);
    public long Dropped(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);
    public long DroppedTotal => _dropped.Sum();

    /// <summary>Monotonic timestamp (Stopwatch ticks) of the last frame accepted; 0 before the first.</summary>
    public long LastFrameTimestamp => Interlocked.Read(ref _lastFrameTicks);

    public void FrameCaptured()
    {
        Interlocked.Increment(ref _captured);
        EdgeMetrics.FramesCaptured.Add(1, _tag);
    }

    public void FrameAccepted() => Interlocked.Exchange(ref _lastFrameTicks, Stopwatch.GetTimestamp());

    public void FrameDropped(DropReason reason)
    {
        Interlocked.Increment(ref _dropped[(int)reason]);
        EdgeMetrics.FramesDropped.Add(1, _tag, new KeyValuePair<string, object?>("reason", reason.Tag()));
    }

    public void FrameProcessed()
    {
        Interlocked.Increment(ref _processed);
        Interlocked.Exchange(ref _lastProcessedTicks, Stopwatch.GetTimestamp());
        EdgeMetrics.FramesProcessed.Add(1, _tag);
    }

    public void Reconnected()
    {
        Interlocked.Increment(ref _reconnects);
        EdgeMetrics.Reconnects.Add(1, _tag);
    }

    public void Stalled()
    {
        Interlocked.Increment(ref _stalls);
        EdgeMetrics.Stalls.Add(1, _tag);
    }

    public void DecoderErrors(long count)
    {
        if (count <= 0) return;
        Interlocked.Add(ref _decodeErrors, count);
        EdgeMetrics.DecodeErrors.Add(count, _tag);
    }

    public void TrackerReset()
    {
        Interlocked.Increment(ref _trackerResets);
        EdgeMetrics.TrackerResets.Add(1, _tag);
    }

    public string DropSummary() => string.Join(", ",
        Enum.GetValues<DropReason>().Where(r => Dropped(r) > 0).Select(r => $"{r.Tag()} {Dropped(r)}")) is { Length: > 0 } s ? s : "none";
}

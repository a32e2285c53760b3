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
    private long _captured, _accepted, _processed, _reconnects, _attempts, _stalls, _decodeErrors, _trackerResets;
    private volatile CameraState _state = CameraState.Starting;
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

    /// <summary>Frames that passed the quality gate (what the camera truly delivers).</summary>
    public long FramesAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Every attempt to open the camera again after the first (failed or not); <see cref="Reconnects"/> counts those that succeeded.</summary>
    public long ReconnectAttempts => Interlocked.Read(ref _attempts);

    /// <summary>The frame rate the open source promises (configured, else reported); 0 while unknown.</summary>
    public double ExpectedFrameRate { get; set; }

    /// <summary>Delivering, degraded or down, with the reason and since when (decided by <see cref="CameraStateJudge"/>).</summary>
    public CameraState State
    {
        get => _state;
        set => _state = value;
    }
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

    public void FrameAccepted()
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Exchange(ref _lastFrameTicks, Stopwatch.GetTimestamp());
    }

    /// <summary>An attempt to open the camera again (after a failure or a broken stream), whatever its outcome.</summary>
    public void ReconnectAttempted()
    {
        Interlocked.Increment(ref _attempts);
        EdgeMetrics.ReconnectAttempts.Add(1, _tag);
    }

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

    private long _detectMicrosEwma;   // exponentially weighted mean of the detector's time per frame, in µs

    /// <summary>The detector's time for one frame of this camera (letterbox, inference, decoding).</summary>
    public void Detected(double milliseconds)
    {
        long sample = (long)(milliseconds * 1000), before = Interlocked.Read(ref _detectMicrosEwma);
        Interlocked.Exchange(ref _detectMicrosEwma, before == 0 ? sample : before + (sample - before) / 20);
    }

    /// <summary>Mean detector time per frame lately (about the last 20 frames), in ms; 0 before the first.</summary>
    public double InferenceMilliseconds => Interlocked.Read(ref _detectMicrosEwma) / 1000.0;

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

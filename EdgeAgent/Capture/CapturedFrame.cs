using OpenCvSharp;

namespace EdgeAgent.Capture;

/// <summary>
/// A decoded frame on its way from capture to detection. Owns its <see cref="Mat"/>: whoever holds the frame
/// last disposes it. <see cref="Live"/> counts frames not yet disposed, so tests can prove nothing leaks.
/// </summary>
public sealed class CapturedFrame : IDisposable
{
    private static long _live;
    private Mat? _image;

    public CapturedFrame(string cameraId, long sequence, DateTimeOffset capturedAt, Mat image, double frameRate = 0, TimeSpan? mediaTime = null)
    {
        CameraId = cameraId;
        Sequence = sequence;
        CapturedAt = capturedAt;
        _image = image;
        FrameRate = frameRate;
        MediaTime = mediaTime;
        Interlocked.Increment(ref _live);
    }

    public string CameraId { get; }

    /// <summary>1-based number of the frame read from this camera since the agent started (counts every frame read, kept or dropped).</summary>
    public long Sequence { get; }

    /// <summary>Wall-clock time the frame was read (UTC).</summary>
    public DateTimeOffset CapturedAt { get; }

    /// <summary>Frame rate of the source (0 when unknown); lets the tracker convert durations to frames.</summary>
    public double FrameRate { get; }

    /// <summary>Position in a video file (replays), so cameras read from files share one clock; null for live streams.</summary>
    public TimeSpan? MediaTime { get; }

    public Mat Image => _image ?? throw new ObjectDisposedException(nameof(CapturedFrame));

    /// <summary>Frames created and not yet disposed, process-wide.</summary>
    public static long Live => Interlocked.Read(ref _live);

    public void Dispose()
    {
        Mat? image = Interlocked.Exchange(ref _image, null);
        if (image is null) return;
        image.Dispose();
        Interlocked.Decrement(ref _live);
    }
}

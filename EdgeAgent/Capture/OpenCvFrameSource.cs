using OpenCvSharp;

namespace EdgeAgent.Capture;

/// <summary>Video files, V4L2 devices and GStreamer pipelines through OpenCV's VideoCapture.</summary>
public sealed class OpenCvFrameSource : IFrameSource
{
    private readonly VideoCapture _capture;
    private readonly bool _isFile;
    private readonly double _fps;
    private readonly bool _realtime;
    private readonly long _frameCount;
    private long _read;
    private long _nextDueTicks;
    private volatile bool _aborted;
    private int _consecutiveErrors;
    private const int MaxConsecutiveErrors = 25;

    private OpenCvFrameSource(VideoCapture capture, bool isFile, bool realtime)
    {
        _capture = capture;
        _isFile = isFile;
        _realtime = realtime;
        _fps = capture.Fps is > 0 and < 1000 ? capture.Fps : 0;
        _frameCount = isFile ? (long)capture.FrameCount : 0;
    }

    public static OpenCvFrameSource Open(CameraOptions camera, SourceKind kind)
    {
        VideoCapture capture;
        switch (kind)
        {
            case SourceKind.File:
                if (!File.Exists(camera.Source))
                    throw new CaptureException($"camera '{camera.Id}': video file not found: {camera.SafeSource}");
                capture = new VideoCapture(camera.Source, VideoCaptureAPIs.FFMPEG);
                break;
            case SourceKind.Device:
                capture = int.TryParse(camera.Source, out int index)
                    ? new VideoCapture(index, VideoCaptureAPIs.V4L2)
                    : new VideoCapture(camera.Source, VideoCaptureAPIs.V4L2);
                break;
            case SourceKind.GStreamer:
                capture = new VideoCapture(camera.Source, VideoCaptureAPIs.GSTREAMER);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an OpenCV source");
        }
        if (!capture.IsOpened())
        {
            capture.Dispose();
            string what = kind switch
            {
                SourceKind.File => "is not a readable video (unknown or corrupt container/codec)",
                SourceKind.Device => "could not be opened as a V4L2 device",
                _ => "could not be opened as a GStreamer pipeline (this OpenCV build may lack GStreamer)",
            };
            throw new CaptureException($"camera '{camera.Id}': {camera.SafeSource} {what}");
        }
        return new OpenCvFrameSource(capture, kind == SourceKind.File, camera.Realtime && kind == SourceKind.File);
    }

    public double FrameRate => _fps;
    public TimeSpan? MediaTime { get; private set; }

    private TimeSpan _loopOffset;
    public long DecodeErrors { get; private set; }

    public ReadResult Read(out Mat? frame)
    {
        frame = null;
        if (_aborted) return ReadResult.Failed;
        if (_realtime && _fps > 0) Pace();
        var mat = new Mat();
        bool ok;
        try
        {
            ok = _capture.Read(mat);
        }
        catch (OpenCVException)
        {
            ok = false;
        }
        if (!ok || mat.Empty())
        {
            mat.Dispose();
            if (_isFile)
            {
                // A file that stops before its header's frame count has a decode failure in it; skip ahead once.
                if (_frameCount > 0 && _read + 1 < _frameCount && !_aborted && _consecutiveErrors < MaxConsecutiveErrors)
                {
                    DecodeErrors++;
                    _consecutiveErrors++;
                    _read++;
                    return _capture.Set(VideoCaptureProperties.PosFrames, _read) ? ReadResult.Corrupt : ReadResult.EndOfStream;
                }
                return ReadResult.EndOfStream;
            }
            return ReadResult.Failed;
        }
        _read++;
        _consecutiveErrors = 0;
        if (_isFile) MediaTime = _loopOffset + (_fps > 0 ? TimeSpan.FromSeconds((_read - 1) / _fps) : TimeSpan.FromMilliseconds(_capture.PosMsec));
        frame = mat;
        return ReadResult.Frame;
    }

    /// <summary>Video files: seek back to the first frame (loop mode).</summary>
    public bool Rewind()
    {
        // Media time keeps running across loops, so later stages never see time go backwards.
        if (MediaTime is { } t) _loopOffset = t + TimeSpan.FromSeconds(_fps > 0 ? 1 / _fps : 0.04);
        _read = 0;
        return _capture.Set(VideoCaptureProperties.PosFrames, 0);
    }

    public bool IsFile => _isFile;

    private void Pace()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_nextDueTicks == 0) _nextDueTicks = now;
        long wait = _nextDueTicks - now;
        if (wait > 0) Thread.Sleep(TimeSpan.FromSeconds((double)wait / System.Diagnostics.Stopwatch.Frequency));
        _nextDueTicks = Math.Max(_nextDueTicks, now - System.Diagnostics.Stopwatch.Frequency) + (long)(System.Diagnostics.Stopwatch.Frequency / _fps);
    }

    public void Abort() => _aborted = true;

    public void Dispose() => _capture.Dispose();
}

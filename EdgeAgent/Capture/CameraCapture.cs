using CloudSync;
using System.Threading.Channels;
using EdgeAgent.Health;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeAgent.Capture;

/// <summary>
/// One camera's capture loop on its own thread: open the source (with exponential backoff and jitter on
/// failure), read frames, pass them through the quality gate, stamp them (camera, sequence, time) and
/// hand them to the detector's queue. A watchdog reopens a stream that delivered nothing for
/// <see cref="CaptureOptions.StallTimeout"/>. The loop is the only writer of its channel and completes it
/// when the camera ends (a file without looping) or fails permanently.
/// </summary>
public sealed class CameraCapture : IDisposable
{
    private readonly CameraOptions _camera;
    private readonly CaptureOptions _options;
    private readonly ChannelWriter<CapturedFrame> _writer;
    private readonly CameraHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CameraOptions, CancellationToken, IFrameSource> _open;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sourceGate = new();
    private IFrameSource? _current;          // guarded by _sourceGate: the watchdog aborts it from its timer thread
    private long _lastAcceptedTimestamp;     // TimeProvider timestamp; written by the capture thread, read by the watchdog
    private volatile bool _awaitingFirstFrame; // a freshly opened stream gets OpenTimeout for its first frame
    private ITimer? _watchdog;
    private Thread? _thread;
    private long _sequence;

    public CameraCapture(CameraOptions camera, CaptureOptions options, ChannelWriter<CapturedFrame> writer, CameraHealth health,
                         TimeProvider time, ILogger logger, Func<CameraOptions, CancellationToken, IFrameSource>? open = null)
    {
        _camera = camera;
        _options = options;
        _writer = writer;
        _health = health;
        _time = time;
        _logger = logger;
        _open = open ?? ((c, ct) => FrameSourceFactory.Open(c, options, ct));
    }

    /// <summary>Completes when the capture loop has ended; faults when the camera failed permanently.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Frame rate reported by the open source (0 until known).</summary>
    public double FrameRate { get; private set; }

    public void Start(CancellationToken ct)
    {
        _thread = new Thread(() => Run(ct)) { IsBackground = true, Name = $"capture-{_camera.Id}" };
        _thread.Start();
        TimeSpan period = TimeSpan.FromMilliseconds(Math.Clamp(_options.StallTimeout.TotalMilliseconds / 4, 50, 5000));
        _watchdog = _time.CreateTimer(_ => CheckStall(), null, period, period);
    }

    private void Run(CancellationToken ct)
    {
        var backoff = new ReconnectBackoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay, _options.ReconnectJitter);
        using var gate = new FrameQualityGate(_options.Quality);
        Exception? failure = null;
        bool everOpened = false;
        try
        {
            bool firstAttempt = true;
            while (!ct.IsCancellationRequested)
            {
                IFrameSource source;
                if (!firstAttempt) _health.ReconnectAttempted();
                firstAttempt = false;
                try
                {
                    source = _open(_camera, ct);
                }
                catch (CaptureException e) when (!ct.IsCancellationRequested)
                {
                    _health.LastError = e.Message;
                    // A video file that is missing or unreadable will not get better by waiting.
                    if (FrameSourceFactory.Classify(_camera) == SourceKind.File) throw;
                    TimeSpan delay = backoff.NextDelay();
                    CaptureLog.OpenFailed(_logger, _camera.Id, delay.TotalSeconds, backoff.Failures, e.Message);
                    if (!Sleep(delay, ct)) break;
                    continue;
                }

                if (everOpened) _health.Reconnected();
                everOpened = true;
                FrameRate = _camera.FrameRate > 0 ? _camera.FrameRate : source.FrameRate;
                _health.ExpectedFrameRate = FrameRate;
                CaptureLog.Opened(_logger, _camera.Id, _camera.SafeSource, FrameSourceFactory.Classify(_camera), FrameRate);
                lock (_sourceGate) _current = source;
                Volatile.Write(ref _lastAcceptedTimestamp, _time.GetTimestamp());
                _awaitingFirstFrame = true;
                _health.Connected = true;
                gate.Reset();

                bool ended = ReadUntilBroken(source, gate, backoff, ct);

                lock (_sourceGate) _current = null;
                _health.Connected = false;
                source.Dispose();
                if (ended || ct.IsCancellationRequested) break;

                TimeSpan wait = backoff.NextDelay();
                CaptureLog.StreamBroke(_logger, _camera.Id, wait.TotalSeconds);
                if (!Sleep(wait, ct)) break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Never let a camera take the process down: the failure ends this camera and reaches the pipeline.
            failure = e;
            _health.LastError = e.Message;
            CaptureLog.Failed(_logger, _camera.Id, e.Message);
        }
        finally
        {
            _writer.TryComplete(failure);
            if (failure is null) _completion.TrySetResult();
            else _completion.TrySetException(failure);
        }
    }

    // Returns true when the source ended for good (end of a file), false when it broke and should be reopened.
    private bool ReadUntilBroken(IFrameSource source, FrameQualityGate gate, ReconnectBackoff backoff, CancellationToken ct)
    {
        long decodeErrorsSeen = source.DecodeErrors;
        while (!ct.IsCancellationRequested)
        {
            ReadResult result = source.Read(out Mat? image);
            long errors = source.DecodeErrors;
            _health.DecoderErrors(errors - decodeErrorsSeen);
            decodeErrorsSeen = errors;
            switch (result)
            {
                case ReadResult.Corrupt:
                    _sequence++;
                    _health.FrameCaptured();
                    _health.FrameDropped(DropReason.Corrupt);
                    continue;
                case ReadResult.EndOfStream:
                    if (_camera.Loop && source is OpenCvFrameSource { IsFile: true } file && file.Rewind())
                    {
                        gate.Reset();
                        continue;
                    }
                    CaptureLog.EndOfStream(_logger, _camera.Id, _camera.SafeSource);
                    return true;
                case ReadResult.Failed:
                    return false;
            }

            _sequence++;
            _health.FrameCaptured();
            if (_camera.Crop is { } crop) image = Crop(image!, crop);
            DropReason? verdict = gate.Check(image!);
            if (verdict is { } reason)
            {
                image!.Dispose();
                _health.FrameDropped(reason);
                continue;
            }
            gate.Normalise(image!);
            Volatile.Write(ref _lastAcceptedTimestamp, _time.GetTimestamp());
            _awaitingFirstFrame = false;
            _health.FrameAccepted();
            backoff.Reset();
            if (!Deliver(new CapturedFrame(_camera.Id, _sequence, _time.GetUtcNow(), image!, FrameRate, source.MediaTime), ct)) return true;
        }
        return true;
    }

    // With DropOldest the write always succeeds (the channel drops and disposes the oldest frame).
    // With Wait (replay of a file as fast as possible) the capture thread waits for the detector.
    private bool Deliver(CapturedFrame frame, CancellationToken ct)
    {
        while (!_writer.TryWrite(frame))
        {
            bool open;
            try
            {
                open = _writer.WaitToWriteAsync(ct).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                open = false;
            }
            if (!open)
            {
                frame.Dispose();
                return false;
            }
        }
        return true;
    }

    private static Mat Crop(Mat image, CropOptions crop)
    {
        int x = (int)Math.Round(crop.X * image.Width), y = (int)Math.Round(crop.Y * image.Height);
        int w = Math.Clamp((int)Math.Round(crop.Width * image.Width), 1, image.Width - x);
        int h = Math.Clamp((int)Math.Round(crop.Height * image.Height), 1, image.Height - y);
        using (image)
        using (var roi = new Mat(image, new Rect(x, y, w, h)))
            return roi.Clone();
    }

    private void CheckStall()
    {
        lock (_sourceGate)
        {
            if (_current is null) return;
            TimeSpan silent = _time.GetElapsedTime(Volatile.Read(ref _lastAcceptedTimestamp));
            TimeSpan limit = _awaitingFirstFrame && _options.OpenTimeout > _options.StallTimeout ? _options.OpenTimeout : _options.StallTimeout;
            if (silent < limit) return;
            _health.Stalled();
            CaptureLog.Stalled(_logger, _camera.Id, silent.TotalSeconds);
            _current.Abort();
            _current = null;
        }
    }

    private bool Sleep(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            Task.Delay(delay, _time, ct).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _watchdog?.Dispose();
        lock (_sourceGate) _current?.Abort();
        _thread?.Join(TimeSpan.FromSeconds(5));
    }
}

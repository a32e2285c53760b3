using System.Diagnostics;
using EdgeAgent.Capture;
using EdgeAgent.Health;
using EdgeAgent.Inference;
using EdgeAgent.Tracking;

namespace EdgeAgent.Pipeline;

/// <summary>
/// One camera's detect → track loop: takes frames from its capture queue, runs the shared detector,
/// updates the camera's tracker and publishes a <see cref="TrackSnapshot"/>. Disposes every frame it takes.
/// A change of frame size (a camera switched resolution) resets the tracker, since old boxes no longer apply.
/// </summary>
public sealed class CameraPipeline(string cameraId, PersonDetector detector, TrackerOptions trackerOptions, PipelineChannels channels, CameraHealth health)
{
    private readonly List<Detection> _detections = new(128);
    private ByteTracker? _tracker;
    private int _width, _height;

    public async Task RunAsync(CancellationToken ct)
    {
        var reader = channels.Frames(cameraId).Reader;
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out CapturedFrame? frame))
                {
                    TrackSnapshot snapshot;
                    using (frame)
                        snapshot = Process(frame);
                    await channels.Tracks.Writer.WriteAsync(snapshot, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Frames still queued when the pipeline stops are disposed, never leaked.
            while (reader.TryRead(out CapturedFrame? left)) left.Dispose();
        }
    }

    /// <summary>Detects and tracks one frame. Public so benchmarks and tests can drive it without channels.</summary>
    public TrackSnapshot Process(CapturedFrame frame)
    {
        var image = frame.Image;
        if (_tracker is null)
        {
            _tracker = new ByteTracker(trackerOptions, frame.FrameRate);
        }
        else if (image.Width != _width || image.Height != _height)
        {
            _tracker.Reset();   // ids keep increasing, so no id is reused for another person
            health.TrackerReset();
        }
        _width = image.Width;
        _height = image.Height;
        _detections.Clear();
        long start = Stopwatch.GetTimestamp();
        detector.Detect(image, _detections);
        EdgeMetrics.DetectDuration.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, new KeyValuePair<string, object?>("camera.id", cameraId));

        IReadOnlyList<Track> tracks = _tracker.Update(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_detections));
        var people = new TrackedPerson[tracks.Count];
        for (int i = 0; i < tracks.Count; i++) people[i] = new TrackedPerson(tracks[i].Id, tracks[i].Box, tracks[i].Score);
        health.FrameProcessed();
        return new TrackSnapshot(cameraId, frame.Sequence, frame.CapturedAt, _width, _height, people, _detections.ToArray());
    }
}

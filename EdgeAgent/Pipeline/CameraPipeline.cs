using System.Diagnostics;
using System.Threading.Channels;
using EdgeAgent.Capture;
using EdgeAgent.Health;
using EdgeAgent.Inference;
using EdgeAgent.Reid;
using EdgeAgent.Tracking;

namespace EdgeAgent.Pipeline;

/// <summary>
/// One camera's detect → track loops: takes frames from its capture queue, runs the shared detector, then — on a second
/// loop, so the next frame's inference overlaps this frame's appearance embeddings and tracking — updates the camera's
/// tracker and publishes a <see cref="TrackSnapshot"/>. Frames stay in order; every frame taken is disposed. A change of
/// frame size (a camera switched resolution) resets the tracker, since old boxes no longer apply.
/// </summary>
public sealed class CameraPipeline(string cameraId, PersonDetector detector, TrackerOptions trackerOptions, PipelineChannels channels, CameraHealth health,
                                   ReidEmbedder? embedder = null, ReidOptions? reidOptions = null, Roles.TrackRoles? roles = null,
                                   Frames.FrameSampler? frames = null, ILiveFrames? live = null, Frames.ForegroundModel? foreground = null)
{
    private bool[] _need = new bool[64];
    private float[] _embeddings = [];
    private readonly List<BoundingBox> _selected = new(32);
    private readonly List<int> _selectedIndex = new(32);
    private readonly List<Detection> _detections = new(128);
    private ByteTracker? _tracker;
    private int _width, _height;
    private DateTimeOffset? _firstCapture;

    public async Task RunAsync(CancellationToken ct)
    {
        var reader = channels.Frames(cameraId).Reader;
        // Detected frames waiting for tracking: one, so detection runs at most a frame ahead.
        var detected = Channel.CreateBounded<(CapturedFrame Frame, List<Detection> Detections)>(
            new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var spare = new System.Collections.Concurrent.ConcurrentQueue<List<Detection>>();
        Task tracking = Task.Run(async () =>
        {
            try
            {
                await foreach (var (frame, detections) in detected.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    TrackSnapshot snapshot;
                    using (frame)
                        snapshot = Track(frame, detections);
                    detections.Clear();
                    spare.Enqueue(detections);
                    await channels.Tracks.Writer.WriteAsync(snapshot, ct).ConfigureAwait(false);
                }
            }
            finally
            {
                detected.Writer.TryComplete();   // a detection loop waiting to hand over a frame is released
            }
        }, CancellationToken.None);
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out CapturedFrame? frame))
                {
                    List<Detection> detections = spare.TryDequeue(out List<Detection>? reused) ? reused : new List<Detection>(64);
                    try
                    {
                        Detect(frame, detections);
                    }
                    catch
                    {
                        frame.Dispose();
                        throw;
                    }
                    if (!await WriteOrDisposeAsync(detected.Writer, frame, detections, tracking, ct).ConfigureAwait(false)) break;
                }
                if (tracking.IsCompleted) break;
            }
        }
        finally
        {
            detected.Writer.TryComplete();
            try { await tracking.ConfigureAwait(false); }
            finally
            {
                // Frames still queued when the pipeline stops are disposed, never leaked.
                while (detected.Reader.TryRead(out var left)) left.Frame.Dispose();
                while (reader.TryRead(out CapturedFrame? left)) left.Dispose();
            }
        }
    }

    // Hands a detected frame to the tracking loop; false (the frame disposed) when that loop has ended.
    private static async Task<bool> WriteOrDisposeAsync(ChannelWriter<(CapturedFrame, List<Detection>)> writer, CapturedFrame frame, List<Detection> detections,
                                                       Task tracking, CancellationToken ct)
    {
        try
        {
            if (!tracking.IsCompleted)
            {
                await writer.WriteAsync((frame, detections), ct).ConfigureAwait(false);
                return true;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            frame.Dispose();
            throw;
        }
        frame.Dispose();
        return false;
    }

    /// <summary>Detects and tracks one frame. Public so benchmarks and tests can drive it without channels.</summary>
    public TrackSnapshot Process(CapturedFrame frame) => Process(frame, null);

    /// <summary>
    /// Tracks one frame with the given detections instead of running the detector (saved or edited detections,
    /// e.g. a simulated occlusion); appearance and tracking run exactly as in <see cref="Process(CapturedFrame)"/>.
    /// </summary>
    public TrackSnapshot Process(CapturedFrame frame, IEnumerable<Detection>? givenDetections)
    {
        var detections = new List<Detection>(64);
        if (givenDetections is not null) detections.AddRange(givenDetections);
        else Detect(frame, detections);
        return Track(frame, detections);
    }

    private void Detect(CapturedFrame frame, List<Detection> into)
    {
        long start = Stopwatch.GetTimestamp();
        detector.Detect(frame.Image, into);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        EdgeMetrics.DetectDuration.Record(ms, new KeyValuePair<string, object?>("camera.id", cameraId));
        health.Detected(ms);
    }

    // Everything after detection, in frame order: appearance, tracking, roles, the sampled and live frames, the snapshot.
    private TrackSnapshot Track(CapturedFrame frame, List<Detection> detected)
    {
        var image = frame.Image;
        if (_tracker is null)
        {
            _tracker = new ByteTracker(trackerOptions, frame.FrameRate);
        }
        else if (image.Width != _width || image.Height != _height)
        {
            _tracker.Reset();   // ids keep increasing, so no id is reused for another person
            roles?.Reset();
            health.TrackerReset();
        }
        _width = image.Width;
        _height = image.Height;
        _tracker.FrameSize = (_width, _height);
        _detections.Clear();
        _detections.AddRange(detected);

        if (embedder is not null && reidOptions is not null) AddAppearance(image);

        IReadOnlyList<Track> tracks = _tracker.Update(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_detections));
        roles?.Update(image, tracks);
        // A frame leaves this stage only anonymised: every detection (down to the lowest score), every track — lost ones at
        // their predicted place — and whatever moves are hidden; the whole frame while the background model learns.
        BoundingBox[]? hide = frames is null && live is null ? null : [.. _detections.Select(d => d.Box), .. _tracker.AllTracks.Select(t => t.Box)];
        _firstCapture ??= frame.CapturedAt;
        if (hide is not null) foreground?.Learn(image, (frame.CapturedAt - _firstCapture.Value).TotalSeconds, hide);
        Frames.PrivacyMask? mask = hide is null ? null : new Frames.PrivacyMask(hide, foreground);
        if (mask is not null) frames?.Offer(cameraId, image, frame.CapturedAt, mask);
        var people = new TrackedPerson[tracks.Count];
        for (int i = 0; i < tracks.Count; i++)
        {
            var (role, confidence) = roles?.RoleOf(tracks[i].Id) ?? (null, 0f);
            people[i] = new TrackedPerson(tracks[i].Id, tracks[i].Box, tracks[i].Score, tracks[i].Feature?.ToArray(), role, confidence);
        }
        // The live view, only while someone watches: mosaicked here, like a sampled frame, before anything is drawn.
        if (live is not null && live.Wanted(cameraId))
            live.Offer(cameraId, image, mask!,
            people.Select(p => (p.Box, p.TrackId, p.Role)).ToList());
        health.FrameProcessed();
        var detections = new Detection[_detections.Count];
        for (int i = 0; i < detections.Length; i++) detections[i] = _detections[i].WithoutEmbedding;   // embeddings never leave
        return new TrackSnapshot(cameraId, frame.Sequence, frame.CapturedAt, _width, _height, people, detections, frame.MediaTime);
    }

    /// <summary>Embeddings for the detections the tracker asks for (policy in <see cref="ReidOptions"/>), in one batch.</summary>
    private void AddAppearance(OpenCvSharp.Mat image)
    {
        if (_need.Length < _detections.Count) _need = new bool[_detections.Count * 2];
        var detections = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_detections);
        int n = _tracker!.SelectForAppearance(detections, _need, reidOptions!.Policy, reidOptions.RefreshInterval);
        if (n == 0) return;
        _selected.Clear();
        _selectedIndex.Clear();
        for (int i = 0; i < detections.Length; i++)
        {
            if (!_need[i]) continue;
            _selected.Add(detections[i].Box);
            _selectedIndex.Add(i);
        }
        int dim = embedder!.Dimension;
        if (_embeddings.Length < n * dim) _embeddings = new float[n * dim * 2];
        long start = Stopwatch.GetTimestamp();
        embedder.Embed(image, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_selected), _embeddings);
        EdgeMetrics.ReidDuration.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, new KeyValuePair<string, object?>("camera.id", cameraId));
        for (int k = 0; k < n; k++)
        {
            int i = _selectedIndex[k];
            detections[i] = detections[i] with { Embedding = _embeddings.AsSpan(k * dim, dim).ToArray() };
        }
    }
}

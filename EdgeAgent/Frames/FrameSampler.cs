using System.Collections.Concurrent;
using CloudSync.Blob;
using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Frames;

/// <summary>
/// Decides, in each camera's loop, when a frame is sampled — every <see cref="FrameOptions.Interval"/> and after
/// <see cref="Request"/> — and spools it anonymised. Pixels leave the camera stage only through here, and only
/// anonymised. Thread-safe: one camera loop per camera id, requests from the event stage.
/// </summary>
public sealed class FrameSampler(FrameOptions options, FrameSpool spool, TimeProvider time)
{
    private readonly FrameAnonymiser _anonymiser = new(options);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _requested = new(StringComparer.Ordinal);
    private volatile bool _requestAll;

    public long Sampled => Interlocked.Read(ref _sampled);

    private long _sampled;

    /// <summary>Every camera takes a frame at its next opportunity (an event of a configured type happened).</summary>
    public void Request() => _requestAll = true;

    /// <summary>Called with a frame and every box that may be a person (no background model: tests, tools).</summary>
    public void Offer(string camera, Mat frame, DateTimeOffset capturedAt, IEnumerable<BoundingBox> people) =>
        Offer(camera, frame, capturedAt, new PrivacyMask([.. people]));

    /// <summary>Called by a camera loop with its frame and what must be hidden in it.</summary>
    public void Offer(string camera, Mat frame, DateTimeOffset capturedAt, PrivacyMask mask)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_requestAll)
        {
            _requestAll = false;
            foreach (string cam in _last.Keys) _requested[cam] = true;
            _requested[camera] = true;
        }
        bool requested = _requested.TryRemove(camera, out _);
        bool due = options.Interval > TimeSpan.Zero && (!_last.TryGetValue(camera, out DateTimeOffset last) || now - last >= options.Interval);
        if (!_last.ContainsKey(camera)) _last[camera] = now;   // first frame of a camera starts its interval
        if (!requested && !due) return;
        _last[camera] = now;
        spool.Add(camera, capturedAt, mask.Method(options.Anonymisation), _anonymiser.Anonymise(frame, mask));
        Interlocked.Increment(ref _sampled);
    }
}

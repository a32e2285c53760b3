using EdgeAgent.Health;
using EdgeAgent.Pipeline;
using EdgeAgent.Zones;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The service's eye on its cameras: between two batches (at least every idle tick) it asks the
/// <see cref="CameraStateJudge"/> how each camera is, keeps the answer on the camera's health for the pages and the
/// metrics, and hands every change of condition to the event loop (a <c>camera.status</c> event; zones going blind or
/// coming back). Only a loop over the judge; runs on the event loop's thread.
/// </summary>
public sealed class CameraMonitor(Capture.CaptureOptions capture, IReadOnlyDictionary<string, CameraHealth> cameras, TimeProvider time, ILogger logger)
    : IEventLoopObserver
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private readonly CameraStateJudge _judge = new(capture.OpenTimeout, capture.StallTimeout, System.Diagnostics.Stopwatch.GetTimestamp(), System.Diagnostics.Stopwatch.Frequency);
    private long _last;

    public void BetweenBatches(EventLoop loop)
    {
        if (_last != 0 && time.GetElapsedTime(_last) < Every) return;
        _last = time.GetTimestamp();
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        DateTimeOffset utc = time.GetUtcNow();
        var changes = new List<CameraStatusChanged>();
        foreach (var (id, health) in cameras)
        {
            CameraState state = _judge.Judge(id, CameraReading.Of(health), now, utc, out bool changed);
            health.State = state;
            if (!changed) continue;
            HostingLog.CameraState(logger, id, state.Name, state.Reason);
            changes.Add(new CameraStatusChanged(state.Since, id, state.Name, state.Reason, state.Since, health.ReconnectAttempts, loop.Stage.ZonesSeenBy(id)));
        }
        loop.CamerasChanged(changes);
    }
}

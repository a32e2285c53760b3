using EdgeAgent.Health;

namespace EdgeAgent.Fleet;

/// <summary>
/// The health a release on trial must show before it is kept: every camera has taken frames through the whole
/// pipeline (capture, detection, tracking), the last one recently. Pure: the caller decides when to ask.
/// </summary>
public static class FleetHealthGate
{
    /// <summary>Why the pipeline is not healthy, or null when it is.</summary>
    public static string? Unhealthy(IReadOnlyCollection<CameraHealth> cameras, long now, long frequency, TimeSpan recent)
    {
        if (cameras.Count == 0) return "no camera is running";
        foreach (CameraHealth c in cameras.OrderBy(c => c.CameraId, StringComparer.Ordinal))
        {
            if (c.FramesProcessed == 0) return $"camera {c.CameraId} delivered no frame through the pipeline{(c.LastError is { } e ? $" ({e})" : "")}";
            if (now - c.LastProcessedTimestamp > (long)(recent.TotalSeconds * frequency)) return $"camera {c.CameraId} stopped delivering frames";
        }
        return null;
    }
}

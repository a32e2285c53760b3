using EdgeAgent.Health;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Web;

/// <summary>The status page's content: cameras, models and the execution provider, outbox depth per destination, update state.</summary>
public static class StatusReport
{
    public static object Of(AgentView view)
    {
        var s = view.Settings;
        var cameras = s.Capture.Cameras.Select(c =>
        {
            CameraHealth? h = view.Cameras?.GetValueOrDefault(c.Id);
            return new
            {
                c.Id,
                connected = h?.Connected ?? false,
                fps = h is null ? null : view.FramesPerSecond(h),
                framesCaptured = h?.FramesCaptured ?? 0,
                framesProcessed = h?.FramesProcessed ?? 0,
                dropped = h is null ? new Dictionary<string, long>() : AgentView.Drops(h),
                reconnects = h?.Reconnects ?? 0,
                stalls = h?.Stalls ?? 0,
                decodeErrors = h?.DecodeErrors ?? 0,
                lastError = h?.LastError,
                calibrated = c.Calibration is not null,
            };
        }).ToList();
        var models = new List<object>();
        if (view.Detector is { } d) models.Add(new { role = "detector", d.Model.Name, d.Model.File, sha256 = d.Model.Sha256, provider = d.Provider });
        if (view.Embedder is { } e) models.Add(new { role = "re-identification", e.Model.Name, e.Model.File, sha256 = e.Model.Sha256, provider = e.Provider });
        var outbox = view.Delivery?.Outbox?.Stats();
        var destinations = view.Delivery?.Destinations.Select(x => new
        {
            x.Health.Name,
            x.Health.Connected,
            pending = outbox?.Pending.GetValueOrDefault(x.Health.Name) ?? 0,
            x.Health.Published,
            alarm = x.Health.Alarm,
        }).ToList();
        Fleet.FleetState? fleet = s.Fleet.Enabled ? new Fleet.FleetStore(s.Fleet.Directory).Load() : null;
        string? silent = view.Silent is { } check ? check() : "starting";
        return new
        {
            ward = new { s.Ward.Site, s.Ward.Id, device = s.Ward.EffectiveDeviceId },
            agent = EventDelivery.AgentVersion,
            uptimeSeconds = (long)view.Uptime.TotalSeconds,
            healthy = silent is null,
            silent,
            executionProvider = view.Detector?.Provider,
            cameras,
            models,
            outbox = outbox is null ? null : new { outbox.Messages, outbox.Bytes, outbox.LastSeq, outbox.Pending },
            destinations = destinations ?? [],
            update = new
            {
                enabled = s.Fleet.Enabled,
                current = fleet?.Current,
                desired = fleet?.Desired,
                pending = fleet?.Pending,
                failedVersion = fleet?.FailedVersion,
                failedReason = fleet?.FailedReason,
            },
        };
    }
}

using EdgeAgent.Health;

namespace EdgeAgent.Web;

/// <summary>The status page's content: cameras, models and the execution provider, outbox depth per destination, update state.</summary>
public static class StatusReport
{
    public static object Of(AgentView view)
    {
        var s = view.Settings;
        var cameras = s.Capture.Cameras.Select(c =>
        {
            CameraHealth? h = view.Status.Cameras.GetValueOrDefault(c.Id);
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
        var models = view.Status.Models.Select(m => new { role = m.Role, m.Name, m.File, sha256 = m.Sha256, provider = m.Provider }).ToList();
        var outbox = view.Status.Outbox();
        var destinations = view.Status.Destinations.Select(x => new
        {
            x.Name,
            x.Connected,
            pending = outbox?.Pending.GetValueOrDefault(x.Name) ?? 0,
            x.Published,
            alarm = x.Alarm,
        }).ToList();
        Fleet.FleetState? fleet = s.Fleet.Enabled ? new Fleet.FleetStore(s.Fleet.Directory).Load() : null;
        string? silent = view.Status.Silent();
        return new
        {
            ward = new { s.Ward.Site, s.Ward.Id, device = s.Ward.EffectiveDeviceId },
            agent = view.Status.AgentVersion,
            uptimeSeconds = (long)view.Uptime.TotalSeconds,
            healthy = silent is null,
            silent,
            executionProvider = view.Status.Models.FirstOrDefault()?.Provider,
            cameras,
            models,
            outbox = outbox is null ? null : new { outbox.Messages, outbox.Bytes, outbox.LastSeq, outbox.Pending, outbox.Dropped, outbox.Damage },
            destinations,
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

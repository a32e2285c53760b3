using EdgeAgent.Health;

namespace EdgeAgent.Web;

/// <summary>The status page's content: cameras, models and the execution provider, outbox depth per destination, update state.</summary>
public static class StatusReport
{
    /// <summary>Configured cameras that are down now (what makes the agent "degraded").</summary>
    public static IReadOnlyList<CameraHealth> DownCameras(AgentView view) =>
        view.Settings.Capture.Cameras.Select(c => view.Status.Cameras.GetValueOrDefault(c.Id))
            .OfType<CameraHealth>().Where(h => h.State.Condition == CameraCondition.Down).ToList();

    /// <summary>The dashboard: the board's snapshot and each camera's state.</summary>
    public static BoardSnapshot Dashboard(AgentView view)
    {
        BoardSnapshot board = view.Board.Snapshot();
        var cameras = view.Settings.Capture.Cameras.Select(c =>
        {
            CameraState state = view.Status.Cameras.GetValueOrDefault(c.Id)?.State ?? CameraState.Starting;
            return new BoardCamera(c.Id, state.Name, state.Reason, state.Since == DateTimeOffset.MinValue ? null : state.Since,
                board.Zones.Where(z => z.Cameras?.Contains(c.Id) == true).Select(z => z.Id).ToList());
        }).ToList();
        return board with { Cameras = cameras };
    }

    public static object Of(AgentView view)
    {
        var s = view.Settings;
        IReadOnlyList<BoardZone> zones = view.Board.Snapshot().Zones;   // once per report: the zones each camera sees, the blind ones
        var cameras = s.Capture.Cameras.Select(c =>
        {
            CameraHealth? h = view.Status.Cameras.GetValueOrDefault(c.Id);
            var (fps, share) = h is null ? (null, null) : view.Load(h);
            return new
            {
                c.Id,
                connected = h?.Connected ?? false,
                state = h?.State.Name ?? "starting",
                reason = h?.State.Reason,
                since = h?.State.Since is { } since && since != DateTimeOffset.MinValue ? since : (DateTimeOffset?)null,
                reconnectAttempts = h?.ReconnectAttempts ?? 0,
                zones = zones.Where(z => z.Cameras?.Contains(c.Id) == true).Select(z => z.Id).ToList(),
                fps,
                processedShare = share,
                inferenceMs = h is null || h.InferenceMilliseconds == 0 ? (double?)null : Math.Round(h.InferenceMilliseconds, 1),
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
            // At the rate it goes now (never faster than its limit), or at the limit while nothing goes; null: unknown.
            drainSeconds = x.ExpectedDrainTime(outbox?.Pending.GetValueOrDefault(x.Name) ?? 0) is { } eta ? Math.Round(eta.TotalSeconds, 1) : (double?)null,
            rateLimit = x.MessagesPerSecondLimit,
            alarm = x.Alarm,
        }).ToList();
        Fleet.FleetState? fleet = s.Fleet.Enabled ? new Fleet.FleetStore(s.Fleet.Directory).Load() : null;
        string? silent = view.Status.Silent();
        var down = DownCameras(view);
        return new
        {
            health = silent is not null ? "unhealthy" : down.Count > 0 ? "degraded" : "healthy",
            down = down.Select(c => c.CameraId).ToList(),
            blind = zones.Where(z => z.Blind).Select(z => z.Id).ToList(),
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

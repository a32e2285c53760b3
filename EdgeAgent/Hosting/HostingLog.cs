using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>Log messages of the agent's composition and event loop (event ids 4000–4099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(4000, LogLevel.Information, "Camera {CameraId}: connected {Connected}, captured {Captured}, processed {Processed}, dropped {Dropped}, reconnects {Reconnects}, stalls {Stalls}, decode errors {DecodeErrors}")]
    public static partial void CameraStatus(ILogger logger, string cameraId, bool connected, long captured, long processed, string dropped, long reconnects, long stalls, long decodeErrors);

    [LoggerMessage(4001, LogLevel.Critical, "The pipeline failed; exiting so the service manager restarts the agent: {Reason}")]
    public static partial void Crashed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(4003, LogLevel.Information, "Camera {CameraId}: floor calibration reprojection error {Metres:0.000} m")]
    public static partial void Calibration(ILogger logger, string cameraId, double metres);

    [LoggerMessage(4004, LogLevel.Information, "No destination configured: embedded demo MQTT broker on 127.0.0.1:{Port} (watch with: mosquitto_sub -h 127.0.0.1 -p {Port} -i watcher -t 'edgetracking/#' -v)")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, int port);

    [LoggerMessage(4005, LogLevel.Warning, "Embedded demo MQTT broker not started: port {Port} is taken ({Reason})")]
    public static partial void EmbeddedBrokerSkipped(ILogger logger, int port, string reason);

    [LoggerMessage(4002, LogLevel.Information, "Every camera has ended; the pipeline stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(4006, LogLevel.Information, "Desired state received ({Bytes} bytes); fleet updates are {State} (Fleet:Enabled)")]
    public static partial void DesiredStateReceived(ILogger logger, int bytes, string state);

    [LoggerMessage(4007, LogLevel.Error, "Watchdog beat withheld: {What} silent for more than {Silence}; systemd will restart the agent if it stays so")]
    public static partial void WatchdogWithheld(ILogger logger, string what, TimeSpan silence);

    [LoggerMessage(4008, LogLevel.Information, "Configuration saved by the editor applied without a restart: {Zones} zone(s), {Doors} door(s)")]
    public static partial void Reconfigured(ILogger logger, int zones, int doors);

    [LoggerMessage(4009, LogLevel.Error, "Outbox damaged: {File}: {What}; {Lost} accepted event(s) lost; numbering resumes after seq {ResumedAt} (an outbox.damaged event reports it; 'edge-agent outbox verify' checks the files)")]
    public static partial void OutboxDamaged(ILogger logger, string file, string what, long lost, long resumedAt);

    [LoggerMessage(4010, LogLevel.Error, "{What}")]
    public static partial void StateFileDamaged(ILogger logger, string what);

    [LoggerMessage(4011, LogLevel.Warning, "Camera {Camera} is {State}: {Reason}")]
    public static partial void CameraState(ILogger logger, string camera, string state, string reason);

    [LoggerMessage(4012, LogLevel.Warning, "Zone {Zone}: no calibrated camera sees at least a fifth of it; it can never be reported blind (set Zones:Areas:N:Cameras, or calibrate a camera that sees it)")]
    public static partial void ZoneUnwatched(ILogger logger, string zone);
}

using Microsoft.Extensions.Logging;

namespace EdgeAgent.Fleet;

/// <summary>Log messages of fleet updates (event ids 7000–7099).</summary>
internal static partial class FleetLog
{
    [LoggerMessage(7000, LogLevel.Information, "Fleet: staging release {Version}")]
    public static partial void Staging(ILogger logger, long version);

    [LoggerMessage(7001, LogLevel.Warning, "Fleet: release {Version} activated; restarting on it (on trial until the health gate passes)")]
    public static partial void Activated(ILogger logger, long version);

    [LoggerMessage(7002, LogLevel.Error, "Fleet: desired state {Version} refused: {Reason}; the running release is unchanged")]
    public static partial void Refused(ILogger logger, string version, string reason);

    [LoggerMessage(7003, LogLevel.Information, "Fleet: release {Version} passed the health gate and is kept")]
    public static partial void Committed(ILogger logger, long version);

    [LoggerMessage(7004, LogLevel.Error, "Fleet: release {Version} rolled back: {Reason}")]
    public static partial void RolledBack(ILogger logger, long version, string reason);
}

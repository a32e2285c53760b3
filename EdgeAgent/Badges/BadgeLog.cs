using Microsoft.Extensions.Logging;

namespace EdgeAgent.Badges;

/// <summary>Log messages of the badge readers (event ids 5000–5099). Badge ids are never logged.</summary>
internal static partial class BadgeLog
{
    [LoggerMessage(5000, LogLevel.Information, "Badge reader {ReaderId}: opened {Port}")]
    public static partial void Opened(ILogger logger, string readerId, string port);

    [LoggerMessage(5001, LogLevel.Warning, "Badge reader {ReaderId}: {Port} failed, reopening with backoff: {Reason}")]
    public static partial void PortFailed(ILogger logger, string readerId, string port, string reason);

    [LoggerMessage(5003, LogLevel.Error, "Badge reader {ReaderId}: unexpected failure, reopening with backoff: {Reason}")]
    public static partial void ReaderFailed(ILogger logger, string readerId, string reason, Exception exception);

    [LoggerMessage(5002, LogLevel.Information, "Badge roster {Path}: {Count} badges")]
    public static partial void RosterLoaded(ILogger logger, string path, int count);
}

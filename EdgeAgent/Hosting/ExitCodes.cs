using EdgeAgent.Capture;
using EdgeAgent.Configuration;
using EdgeAgent.Inference;

namespace EdgeAgent.Hosting;

/// <summary>Process exit codes (documented in the README); systemd restarts the service on any non-zero code.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int InvalidConfiguration = 3;
    public const int ModelError = 4;
    public const int CaptureError = 5;
    public const int AccuracyBelowFloor = 6;
    /// <summary><c>sync-writer</c>: an event the outbox had accepted is missing after a crash.</summary>
    public const int DataLoss = 7;
    /// <summary>The service stops to start again on another fleet release (activated, or rolled back); systemd restarts it.</summary>
    public const int RestartForUpdate = 75;

    /// <summary>The exit code of a command that stopped on <paramref name="e"/>: the user's mistake, or a failure.</summary>
    public static int For(Exception e) => e switch
    {
        UsageException or FormatException or FileNotFoundException => Usage,
        ConfigurationException or InvalidDataException or global::CloudSync.Outbox.OutboxLockedException => InvalidConfiguration,
        UnauthorizedAccessException => InvalidConfiguration,   // a file the configuration names that this user may not read or write
        ModelException => ModelError,
        CaptureException => CaptureError,
        _ => Failure,
    };
}

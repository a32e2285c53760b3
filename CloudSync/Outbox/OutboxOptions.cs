using CloudSync.Contract;

namespace CloudSync.Outbox;

/// <summary>How long each class of message may wait, and how much the outbox may hold. Section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Folder of <c>outbox.db</c> and <c>outbox.log</c> (systemd's StateDirectory in production).</summary>
    public string Directory { get; set; } = "state";

    /// <summary>Bytes of message payload the outbox may hold; beyond it the lowest class is evicted first, oldest first.</summary>
    public long QuotaBytes { get; set; } = 256L * 1024 * 1024;

    public TimeSpan AlertTimeToLive { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan ZoneTimeToLive { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan PeriodicTimeToLive { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan FrameTimeToLive { get; set; } = TimeSpan.FromHours(72);

    /// <summary>LiteDB checkpoints (copies the log into the data file) after this many log pages.</summary>
    public int CheckpointPages { get; set; } = 1000;

    public TimeSpan TimeToLive(MessageClass c) => c switch
    {
        MessageClass.Alert => AlertTimeToLive,
        MessageClass.Zone => ZoneTimeToLive,
        MessageClass.Periodic => PeriodicTimeToLive,
        _ => FrameTimeToLive,
    };
}

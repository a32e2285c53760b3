namespace EdgeAgent.Badges;

/// <summary>Badge readers at doors and the roster that gives a badge its role. Section <c>Badges</c>.</summary>
public sealed class BadgeOptions
{
    public const string SectionName = "Badges";

    /// <summary>Roster file built by <c>edge-agent roster build</c> (salted hashes only). Required when readers are configured.</summary>
    public string? Roster { get; set; }

    public List<BadgeReaderOptions> Readers { get; set; } = [];

    /// <summary>A read and a crossing of the reader's door this close in time belong together.</summary>
    public TimeSpan FusionWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A reader repeats a badge held in front of it; repeats within this time are one read.</summary>
    public TimeSpan RepeatSuppression { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class BadgeReaderOptions
{
    public string Id { get; set; } = "";

    /// <summary>Serial device, e.g. /dev/ttyTHS1 or /dev/serial/by-id/….</summary>
    public string Port { get; set; } = "";

    public BadgeProtocol Protocol { get; set; } = BadgeProtocol.Rdm6300;

    public int BaudRate { get; set; } = 9600;

    /// <summary>The door (Zones:Doors id) the reader is mounted at.</summary>
    public string Door { get; set; } = "";
}

public enum BadgeProtocol { Rdm6300, Line }

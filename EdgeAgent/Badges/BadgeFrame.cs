namespace EdgeAgent.Badges;

/// <summary>What a badge parser found in the byte stream: a badge id, or a counted problem.</summary>
public readonly record struct BadgeFrame(BadgeFrameKind Kind, string? BadgeId = null);

public enum BadgeFrameKind
{
    /// <summary>A well-formed read; <see cref="BadgeFrame.BadgeId"/> holds the id (kept in memory only until it is hashed).</summary>
    Badge,
    /// <summary>A complete frame whose checksum does not match.</summary>
    BadChecksum,
    /// <summary>A frame or line cut short, too long, not hex, or not valid text.</summary>
    Malformed,
}

/// <summary>Turns the bytes of one reader into frames. Never throws on any input; resynchronises on the next frame start.</summary>
public interface IBadgeParser
{
    /// <summary>Bytes outside any frame (noise), counted.</summary>
    long GarbageBytes { get; }

    void Feed(ReadOnlySpan<byte> bytes, List<BadgeFrame> found);
}

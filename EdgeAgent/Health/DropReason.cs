namespace EdgeAgent.Health;

/// <summary>Why a captured frame did not reach the detector. Names are the <c>reason</c> tag of <c>edge.capture.frames_dropped</c>.</summary>
public enum DropReason
{
    /// <summary>The detector was busy and the queue full: the oldest frame made room.</summary>
    QueueFull,
    /// <summary>The source returned an empty image.</summary>
    Empty,
    /// <summary>Wrong format, truncated, or a blank (uniform) image typical of decoder failure.</summary>
    Corrupt,
    /// <summary>Byte-identical to the previous frame.</summary>
    Frozen,
    /// <summary>Too blurred to detect anyone (Laplacian variance below the threshold).</summary>
    Blurred,
}

public static class DropReasonNames
{
    public static string Tag(this DropReason reason) => reason switch
    {
        DropReason.QueueFull => "queue_full",
        DropReason.Empty => "empty",
        DropReason.Corrupt => "corrupt",
        DropReason.Frozen => "frozen",
        DropReason.Blurred => "blurred",
        _ => reason.ToString(),
    };
}

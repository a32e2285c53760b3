namespace EdgeAgent.Health;

/// <summary>What a camera gives the ward now.</summary>
public enum CameraCondition
{
    /// <summary>Opening for the first time, within its open timeout: not yet a fault.</summary>
    Starting,

    /// <summary>Frames arrive at (near) the rate the camera promises.</summary>
    Delivering,

    /// <summary>Frames arrive, but well below the promised rate (a weak link, a struggling decoder, frames failing the quality gate).</summary>
    Degraded,

    /// <summary>No frames: the stream is closed, refused or silent. The zones only it covers are blind.</summary>
    Down,
}

/// <summary>A camera's condition, why, and since when (wall time).</summary>
public sealed record CameraState(CameraCondition Condition, string Reason, DateTimeOffset Since)
{
    public static CameraState Starting { get; } = new(CameraCondition.Starting, "opening", DateTimeOffset.MinValue);

    /// <summary>Lower-case name as events, topics and pages use it.</summary>
    public string Name => Condition.ToString().ToLowerInvariant();

    /// <summary>A camera counts as seeing its zones unless it is down (a starting camera is given its open timeout).</summary>
    public bool Sees => Condition != CameraCondition.Down;
}

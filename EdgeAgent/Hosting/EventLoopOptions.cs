namespace EdgeAgent.Hosting;

/// <summary>How the one event loop differs between the service, a replay and the tests.</summary>
public sealed record EventLoopOptions
{
    /// <summary>
    /// The service: wake at least this often with no snapshot, so exits, periodic occupancy and alerts are decided even
    /// when no camera delivers (wall time). Null in a replay, whose clock is the video's media time.
    /// </summary>
    public TimeSpan? IdleTick { get; init; }

    /// <summary>The service: a <c>model.health</c> report of this model every <see cref="ModelHealthInterval"/>.</summary>
    public TimeSpan? ModelHealthInterval { get; init; }

    public string Model { get; init; } = "";

    /// <summary>A replay with <c>--frames N</c>: snapshots past this sequence number are not processed.</summary>
    public long? MaxFrames { get; init; }

    /// <summary>Called once when a snapshot past <see cref="MaxFrames"/> arrives (the replay then stops its cameras).</summary>
    public Action? FrameLimitReached { get; init; }

    public static EventLoopOptions Service(Configuration.AgentSettings settings) => new()
    {
        IdleTick = TimeSpan.FromSeconds(1),
        ModelHealthInterval = settings.Output.ModelHealthInterval,
        Model = settings.Detection.Model,
    };
}

namespace EdgeAgent.Hosting;

/// <summary>How the service and a replay compose the same agent differently.</summary>
public sealed record AgentMode
{
    /// <summary>Events dated by the video's media time (a replay), or by capture time (the service).</summary>
    public bool MediaTime { get; init; }

    /// <summary>Live cameras drop the oldest frame when the detector is busy; a replay as fast as it can waits instead.</summary>
    public bool DropWhenBusy { get; init; }

    /// <summary>Numbers events on from the saved zone state and closes what a crash left open (the service).</summary>
    public bool RestoreState { get; init; }

    /// <summary>Sampled frames go to Blob Storage (the service).</summary>
    public bool SampleFrames { get; init; }

    /// <summary>/healthz and the status page follow the watchdog (the service); a replay always reads healthy.</summary>
    public bool Watchdog { get; init; }

    public static AgentMode Service { get; } = new() { DropWhenBusy = true, RestoreState = true, SampleFrames = true, Watchdog = true };

    public static AgentMode Replay(bool realtime) => new() { MediaTime = true, DropWhenBusy = realtime };
}

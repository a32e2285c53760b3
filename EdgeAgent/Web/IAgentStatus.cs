using CloudSync.Mqtt;
using CloudSync.Outbox;
using EdgeAgent.Health;

namespace EdgeAgent.Web;

/// <summary>
/// What the pages may read of the running agent, handed to <see cref="AgentView"/> by whoever composes the agent
/// (the service or a replay). Read from the web server's threads; every member is safe to call at any time.
/// </summary>
public interface IAgentStatus
{
    string AgentVersion { get; }

    /// <summary>Each configured camera's counters.</summary>
    IReadOnlyDictionary<string, CameraHealth> Cameras { get; }

    /// <summary>The models in use, detector first.</summary>
    IReadOnlyList<ModelInUse> Models { get; }

    /// <summary>The outbox's counts, or null without destinations.</summary>
    OutboxStats? Outbox();

    /// <summary>Each destination's link, counters and alarm.</summary>
    IReadOnlyList<DestinationHealth> Destinations { get; }

    /// <summary>What is silent beyond the watchdog's limit, or null when the agent is alive (what /healthz answers).</summary>
    string? Silent();
}

/// <summary>A loaded model as the status page lists it.</summary>
public sealed record ModelInUse(string Role, string Name, string File, string Sha256, string Provider);

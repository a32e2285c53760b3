using System.Text.Json;
using CloudSync.Contract;

namespace CloudSync.Mqtt;

/// <summary>
/// The topics (docs/events/asyncapi.yaml): <c>&lt;prefix&gt;/&lt;site&gt;/&lt;ward&gt;/events/&lt;type&gt;</c> for every event,
/// <c>…/occupancy/&lt;zone&gt;</c> retained for the current occupancy, <c>…/status</c> retained with the last will.
/// </summary>
public sealed class TopicScheme(string prefix, string site, string ward)
{
    public string Base { get; } = $"{prefix}/{site}/{ward}";

    public string Events(string type) => EventTypes.Find(type) is { } known ? $"{Base}/{known.TopicSuffix}" : $"{Base}/events/{type}";

    public string Status => $"{Base}/status";

    /// <summary>Retained report of the outbox: pending messages, drops by reason and class, dead letters.</summary>
    public string OutboxReport => $"{Base}/status/outbox";

    /// <summary>Operator commands to this ward's agent (subscribed).</summary>
    public string Commands => $"{Base}/commands";

    /// <summary>The agent's answer to every command received, malformed or not.</summary>
    public string CommandReplies => $"{Base}/commands/replies";

    /// <summary>The fleet's desired state for this ward (retained, subscribed).</summary>
    public string FleetDesired => $"{Base}/fleet/desired";

    /// <summary>What the device runs and what became of the last desired state (retained).</summary>
    public string FleetReported => $"{Base}/fleet/reported";

    public string Occupancy(string zone) => $"{Base}/occupancy/{zone}";

    /// <summary>
    /// The retained topic of an event whose type keeps state for late subscribers (<see cref="EventType.RetainedBy"/>:
    /// <c>zone.occupancy</c> → <c>occupancy/&lt;zone&gt;</c>), read from its payload; null for other types.
    /// </summary>
    public string? OccupancyTopicOf(string type, byte[] envelope)
    {
        if (EventTypes.Find(type) is not { RetainedBy: { } field }) return null;
        try
        {
            using var doc = JsonDocument.Parse(envelope);
            return doc.RootElement.TryGetProperty("payload", out JsonElement p) && p.TryGetProperty(field, out JsonElement z) && z.GetString() is { Length: > 0 } zone
                ? Occupancy(zone) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

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
    /// The retained topic an event keeps current (<see cref="EventType.Retained"/>: <c>zone.occupancy</c> →
    /// <c>occupancy/&lt;zone&gt;</c>, a rule's alert → <c>alerts/&lt;rule&gt;</c>, …) read from its payload, and whether the
    /// event clears it (an empty retained message); null for types that keep no state or a payload without the field.
    /// </summary>
    public RetainedTopic? RetainedTopicOf(string type, byte[] envelope)
    {
        if (EventTypes.Find(type) is not { Retained: { } retained }) return null;
        if (retained.Field is null) return new RetainedTopic($"{Base}/{retained.Topic}", retained.Clears);
        try
        {
            using var doc = JsonDocument.Parse(envelope);
            return doc.RootElement.TryGetProperty("payload", out JsonElement p) && p.TryGetProperty(retained.Field, out JsonElement v)
                   && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } key && !key.Contains('/') && !key.Contains('+') && !key.Contains('#')
                ? new RetainedTopic($"{Base}/{string.Format(System.Globalization.CultureInfo.InvariantCulture, retained.Topic, key)}", retained.Clears)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every topic the agent publishes to or subscribes to, as templates below the ward's base (<c>{type}</c>,
    /// <c>{zone}</c>, … for the varying level) — what docs/events/asyncapi.yaml must list, no more and no less.
    /// </summary>
    public static IReadOnlyList<string> Channels { get; } =
    [
        "events/{type}", "status", "status/outbox", "commands", "commands/replies", "fleet/desired", "fleet/reported",
        .. EventTypes.All.Where(t => t.Retained is not null).Select(t => t.Retained!.Template).Distinct(StringComparer.Ordinal),
    ];
}

/// <summary>A retained topic and whether the event clears it (publishes an empty retained message).</summary>
public readonly record struct RetainedTopic(string Topic, bool Clear);

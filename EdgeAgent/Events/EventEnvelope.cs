using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EdgeAgent.Events;

/// <summary>
/// One anonymised event as it leaves the device (schema <c>docs/events/event.schema.json</c>). Consumers dedupe on
/// <see cref="EventId"/> and order by <see cref="Seq"/>. Persons appear only as ward pseudonyms.
/// </summary>
public sealed record EventEnvelope(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("eventId")] Guid EventId,
    [property: JsonPropertyName("deviceId")] string DeviceId,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("ward")] string Ward,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("occurredAt")] DateTimeOffset OccurredAt,
    [property: JsonPropertyName("payload")] JsonObject Payload)
{
    /// <summary>The schema identifier every event carries; bumped on any incompatible change.</summary>
    public const string SchemaId = "edgetracking.event.v1";
}

[JsonSerializable(typeof(EventEnvelope))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class EventJsonContext : JsonSerializerContext;

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EdgeAgent.Events;

/// <summary>
/// One anonymised event as it leaves the device (schema <c>docs/events/event.schema.json</c>). Consumers dedupe on
/// <see cref="EventId"/> and order by <see cref="Seq"/>. Persons appear only as ward pseudonyms. <see cref="ClockStepped"/>
/// is true on the first event after the device's wall clock was stepped (absent otherwise).
/// </summary>
public sealed record EventEnvelope(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("eventId")] Guid EventId,
    [property: JsonPropertyName("deviceId")] string DeviceId,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("ward")] string Ward,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("occurredAt"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset OccurredAt,
    [property: JsonPropertyName("payload")] JsonObject Payload,
    [property: JsonPropertyName("clockStepped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? ClockStepped = null)
{
    /// <summary>The schema identifier every event carries; bumped on any incompatible change.</summary>
    public const string SchemaId = "edgetracking.event.v1";
}

/// <summary>Timestamps in events are UTC with millisecond precision and a 'Z' (<c>2026-01-05T08:00:00.000Z</c>).</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString(Format, System.Globalization.CultureInfo.InvariantCulture));
}

[JsonSerializable(typeof(EventEnvelope))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class EventJsonContext : JsonSerializerContext;

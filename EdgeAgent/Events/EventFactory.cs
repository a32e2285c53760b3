using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Zones;

namespace EdgeAgent.Events;

/// <summary>
/// Wraps zone decisions in the versioned envelope: a UUIDv7 event id, the next per-device sequence number, site,
/// ward and UTC timestamps. The payload is written field by field from the decision, so nothing that is not in the
/// schema (no image, embedding, badge id or name) can reach it.
/// </summary>
public sealed class EventFactory(string deviceId, string site, string ward, long lastSequence = 0)
{
    private long _seq = lastSequence;

    /// <summary>The sequence number of the last event made (to be persisted with the state).</summary>
    public long LastSequence => _seq;

    public EventEnvelope Create(ZoneEvent e)
    {
        JsonObject payload = e switch
        {
            ZoneEntered x => new JsonObject { ["zone"] = x.Zone, ["person"] = x.Person, ["role"] = x.Role },
            ZoneExited x => new JsonObject
            {
                ["zone"] = x.Zone, ["person"] = x.Person, ["role"] = x.Role, ["enteredAt"] = Utc(x.EnteredAt),
                ["dwellSeconds"] = Seconds(x.Dwell), ["reason"] = x.Reason,
            },
            ZoneOccupancy x => new JsonObject
            {
                ["zone"] = x.Zone, ["known"] = x.Known, ["total"] = x.Known ? x.Total : null, ["byRole"] = Counts(x.ByRole), ["trigger"] = x.Trigger,
            },
            DoorCrossed x => new JsonObject { ["door"] = x.Door, ["zone"] = x.Zone, ["direction"] = x.Direction, ["person"] = x.Person, ["role"] = x.Role },
            AvailabilityAlert x => new JsonObject
            {
                ["rule"] = x.Rule, ["zone"] = x.Zone, ["roles"] = new JsonArray(x.Roles.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
                ["minimumCount"] = x.MinimumCount, ["unstaffedSince"] = Utc(x.UnstaffedSince), ["thresholdSeconds"] = Seconds(x.Threshold),
            },
            AvailabilityCleared x => new JsonObject
            {
                ["rule"] = x.Rule, ["zone"] = x.Zone, ["unstaffedSince"] = Utc(x.UnstaffedSince), ["unstaffedSeconds"] = Seconds(x.Unstaffed), ["reason"] = x.Reason,
            },
            CoverageLost x => new JsonObject
            {
                ["rule"] = x.Rule, ["zone"] = x.Zone, ["cameras"] = new JsonArray(x.Cameras.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            },
            CoverageRestored x => new JsonObject
            {
                ["rule"] = x.Rule, ["zone"] = x.Zone, ["blindSince"] = Utc(x.BlindSince), ["blindSeconds"] = Seconds(x.Blind), ["reason"] = x.Reason,
            },
            CameraStatusChanged x => new JsonObject
            {
                ["camera"] = x.Camera, ["state"] = x.State, ["reason"] = x.Reason, ["since"] = Utc(x.Since), ["reconnectAttempts"] = x.ReconnectAttempts,
                ["zones"] = new JsonArray(x.Zones.Select(z => (JsonNode?)JsonValue.Create(z)).ToArray()),
            },
            FrameSampled x => new JsonObject { ["camera"] = x.Camera, ["blob"] = x.Blob, ["anonymisation"] = x.Anonymisation },
            DeviceStatus x => new JsonObject
            {
                ["agentVersion"] = x.AgentVersion, ["uptimeSeconds"] = x.UptimeSeconds, ["clockSteps"] = x.ClockSteps,
                ["cameras"] = new JsonArray(x.Cameras.Select(c => (JsonNode?)new JsonObject
                {
                    ["camera"] = c.Id, ["connected"] = c.Connected, ["framesCaptured"] = c.FramesCaptured, ["framesProcessed"] = c.FramesProcessed,
                    ["framesDropped"] = c.FramesDropped, ["reconnects"] = c.Reconnects, ["stalls"] = c.Stalls, ["decodeErrors"] = c.DecodeErrors,
                    ["state"] = c.State, ["reason"] = c.Reason, ["since"] = c.Since is { } since ? Utc(since) : null, ["reconnectAttempts"] = c.ReconnectAttempts,
                }).ToArray()),
                ["destinations"] = new JsonArray(x.Destinations.Select(d => (JsonNode?)new JsonObject
                {
                    ["name"] = d.Name, ["connected"] = d.Connected, ["pending"] = d.Pending, ["published"] = d.Published,
                    ["inFlightWindow"] = d.InFlightWindow, ["alarm"] = d.Alarm,
                }).ToArray()),
            },
            ModelHealthReport x => new JsonObject
            {
                ["model"] = x.Model, ["periodSeconds"] = Seconds(x.Period),
                ["bins"] = new JsonObject
                {
                    ["confidence"] = Bounds(Health.ModelHealth.ConfidenceBins), ["detectionsPerFrame"] = Bounds(Health.ModelHealth.DetectionBins),
                    ["trackLength"] = Bounds(Health.ModelHealth.TrackLengthBins),
                },
                ["cameras"] = new JsonArray(x.Cameras.Select(c => (JsonNode?)new JsonObject
                {
                    ["camera"] = c.Id, ["frames"] = c.Frames, ["confidence"] = Counts(c.Confidence),
                    ["detectionsPerFrame"] = Counts(c.DetectionsPerFrame), ["trackLength"] = Counts(c.TrackLength),
                }).ToArray()),
            },
            OutboxDamaged x => new JsonObject
            {
                ["file"] = x.File, ["what"] = x.What, ["lost"] = x.Lost, ["firstSeq"] = x.FirstSeq, ["lastSeq"] = x.LastSeq, ["resumedAt"] = x.ResumedAt,
            },
            _ => throw new ArgumentException($"no envelope mapping for {e.GetType().Name}", nameof(e)),
        };
        return new EventEnvelope(EventEnvelope.SchemaId, Guid.CreateVersion7(), deviceId, ++_seq, site, ward, e.Type.Name, e.OccurredAt.ToUniversalTime(), payload);
    }

    public static string ToJson(EventEnvelope e) => JsonSerializer.Serialize(e, EventJsonContext.Default.EventEnvelope);

    private static string Utc(DateTimeOffset t) => t.ToUniversalTime().ToString(UtcTimestampConverter.Format, CultureInfo.InvariantCulture);

    private static double Seconds(TimeSpan t) => Math.Round(Math.Max(0, t.TotalSeconds), 3);

    // Upper bounds of histogram bins; the open last bin is null.
    private static JsonArray Bounds(double[] upper) => new(upper.Select(u => double.IsPositiveInfinity(u) ? null : (JsonNode?)JsonValue.Create(u)).ToArray());

    private static JsonArray Counts(long[] counts) => new(counts.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());

    private static JsonObject Counts(IReadOnlyDictionary<string, int> byRole)
    {
        var o = new JsonObject();
        foreach (var (role, n) in byRole.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[role] = n;
        return o;
    }
}

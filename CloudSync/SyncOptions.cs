using CloudSync.Mqtt;
using CloudSync.Outbox;

namespace CloudSync;

/// <summary>What crosses the network: the durable outbox and the destinations it feeds. Section <c>Sync</c>.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    public OutboxOptions Outbox { get; set; } = new();

    /// <summary>MQTT brokers to deliver every event to (each at least once, in order). Empty: events stay in the outbox and the local file.</summary>
    public List<MqttDestinationOptions> Destinations { get; set; } = [];

    /// <summary>Azure Blob Storage for sampled, anonymised frames; off while its connection string is empty.</summary>
    public Blob.BlobOptions Blob { get; set; } = new();

    /// <summary>
    /// Demo default: with no destination configured and this above 0, the agent runs a small MQTT broker on
    /// 127.0.0.1:<c>EmbeddedBrokerPort</c> and delivers to it. 0 turns it off. Not for production (no TLS, no auth).
    /// </summary>
    public int EmbeddedBrokerPort { get; set; }

    /// <summary>How often delivered, expired and over-quota messages are cleaned up (and drops reported).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);
}

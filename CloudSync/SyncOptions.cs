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

    /// <summary>How often delivered, expired and over-quota messages are cleaned up (and drops reported).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);
}

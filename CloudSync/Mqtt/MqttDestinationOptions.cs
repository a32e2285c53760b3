namespace CloudSync.Mqtt;

/// <summary>One MQTT destination (the hospital's BMS broker, Azure IoT Hub, Event Grid's MQTT broker). <c>Sync:Destinations:N</c>.</summary>
public sealed class MqttDestinationOptions
{
    /// <summary>Name of the destination; it owns a cursor in the outbox (renaming it re-sends everything kept).</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The broker's rules, checked at start: <c>Generic</c> (any MQTT broker, e.g. the BMS's mosquitto) or <c>EventGrid</c>
    /// (Azure Event Grid's MQTT broker: MQTT 5 over mutual TLS, client id and user name = the certificate's subject,
    /// session expiry ≤ 8 h, messages ≤ 512 KiB, topics ≤ 256 bytes and 8 levels, retained messages ≤ 64 KiB, and its
    /// per-session rates as the default <see cref="MessagesPerSecond"/> and <see cref="BytesPerSecond"/>).
    /// </summary>
    public string Profile { get; set; } = "Generic";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary><c>3.1.1</c> (IoT Hub) or <c>5</c> (Event Grid, mosquitto).</summary>
    public string ProtocolVersion { get; set; } = "5";

    /// <summary>Client id; empty: <c>edge-&lt;deviceId&gt;</c>. A persistent session belongs to it.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Topics are <c>&lt;TopicPrefix&gt;/&lt;site&gt;/&lt;ward&gt;/…</c>.</summary>
    public string TopicPrefix { get; set; } = "edgetracking";

    public string? Username { get; set; }

    /// <summary>Password or token (e.g. an IoT Hub SAS token).</summary>
    public string? Password { get; set; }

    public bool UseTls { get; set; }

    /// <summary>PEM file of the only CA trusted for the broker's certificate (pinned; the system store is not used).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate and key for mutual TLS.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>Host name the broker's certificate must carry; empty: <see cref="Host"/>.</summary>
    public string? TlsTargetHost { get; set; }

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A publish not acknowledged within this is a dead link: the connection is dropped and reopened.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages read from the outbox and acknowledged in one commit.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// QoS 1 messages awaiting their PUBACK at once, never more than the Receive Maximum the broker announces (mosquitto's
    /// default is 20). Measured against mosquitto: 20 doubles the drain rate of 1 with a broker that sets TCP_NODELAY and
    /// costs nothing with one that does not (docs/BENCHMARKS.md).
    /// </summary>
    public int MaxInFlight { get; set; } = 20;

    /// <summary>
    /// MQTT 5 will delay: the broker publishes <c>offline</c> only if we have not reconnected within this. Without it a
    /// connection attempt made during a partition, delivered late by TCP after the link heals, takes over the live
    /// session and sets <c>offline</c> after <c>online</c> (seen in the tests).
    /// </summary>
    public TimeSpan WillDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The broker keeps the session (and queued messages to us) this long while we are away; null: 1 day (Event Grid: 8 h).</summary>
    public TimeSpan? SessionExpiry { get; set; }

    /// <summary>At most this many PUBLISH packets per second (token bucket); null: none (Event Grid: 1,000, its per-session limit).</summary>
    public double? MessagesPerSecond { get; set; }

    /// <summary>At most this many bytes per second of PUBLISH packets; null: none (Event Grid: 1,000,000, its per-session limit).</summary>
    public double? BytesPerSecond { get; set; }

    /// <summary>At most this many retained topics for the ward on this broker, checked at start; null: no limit (Event Grid: 100).</summary>
    public int? MaxRetainedTopics { get; set; }

    /// <summary>A retained copy larger than this is not kept (the event is still published, the skip counted); null: no limit (Event Grid: 65536).</summary>
    public int? MaxRetainedBytes { get; set; }

    /// <summary>Messages larger than this go to the dead-letter collection for this destination (Event Grid: 512 KiB).</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Keep the ward's state retained for late subscribers: occupancy per zone, each rule's active alert (cleared with an
    /// empty retained message), each camera's status and the device status (see docs/events/README.md).
    /// </summary>
    public bool RetainState { get; set; } = true;

    /// <summary>The former name of <see cref="RetainState"/> (1.4 and before), still read.</summary>
    public bool RetainOccupancy { get => RetainState; set => RetainState = value; }

    /// <summary>Subscribe to this ward's <c>…/commands</c> and retained <c>…/fleet/desired</c> on this broker.</summary>
    public bool AcceptCommands { get; set; } = true;

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After the broker refuses to take our messages (not authorised), try again this often.</summary>
    public TimeSpan RefusedRetryInterval { get; set; } = TimeSpan.FromSeconds(60);
}

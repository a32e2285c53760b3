using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CloudSync.Mqtt;

/// <summary>
/// What a destination's broker allows (<see cref="MqttDestinationOptions.Profile"/>), as the values one destination
/// runs with, and the check at start that refuses a configuration the broker could not honour — naming the key.
/// Event Grid's figures are from its MQTT quotas and retain pages (docs/azure.md lists them with their sources).
/// </summary>
public sealed record BrokerProfile(
    string Name, TimeSpan SessionExpiry, double? MessagesPerSecond, double? BytesPerSecond, int? MaxRetainedTopics, int? MaxRetainedBytes,
    string? CertificateSubject)
{
    public const string Generic = "Generic", EventGrid = "EventGrid";

    /// <summary>Azure Event Grid's MQTT broker, per session unless said otherwise.</summary>
    public static class EventGridLimits
    {
        public const int MaxMessageBytes = 512 * 1024, MaxTopicBytes = 256, MaxTopicLevels = 8, MaxRetainedBytes = 64 * 1024;
        public const double MessagesPerSecond = 1000, BytesPerSecond = 1_000_000;
        public static readonly TimeSpan MaxSessionExpiry = TimeSpan.FromHours(8), MaxKeepAlive = TimeSpan.FromSeconds(1160);

        /// <summary>Our default share of the namespace's 10,000 retained messages per throughput unit for one ward.</summary>
        public const int RetainedTopicsPerWard = 100;
    }

    /// <summary>The values <paramref name="o"/> runs with: its own where set, else its profile's defaults.</summary>
    public static BrokerProfile Resolve(MqttDestinationOptions o)
    {
        bool eventGrid = o.Profile == EventGrid;
        return new BrokerProfile(
            o.Profile,
            o.SessionExpiry ?? (eventGrid ? EventGridLimits.MaxSessionExpiry : TimeSpan.FromDays(1)),
            o.MessagesPerSecond ?? (eventGrid ? EventGridLimits.MessagesPerSecond : null),
            o.BytesPerSecond ?? (eventGrid ? EventGridLimits.BytesPerSecond : null),
            o.MaxRetainedTopics ?? (eventGrid ? EventGridLimits.RetainedTopicsPerWard : null),
            o.MaxRetainedBytes ?? (eventGrid ? EventGridLimits.MaxRetainedBytes : null),
            eventGrid && o.ClientCertificateFile is { } cert && File.Exists(cert) ? SubjectOf(cert) : null);
    }

    /// <summary>The client id a destination connects with: its own, else (Event Grid) its certificate's subject, else <c>edge-&lt;device&gt;</c>.</summary>
    public string ClientId(MqttDestinationOptions o, string deviceId) =>
        o.ClientId.Length > 0 ? o.ClientId : CertificateSubject ?? $"edge-{deviceId}";

    /// <summary>
    /// Why <paramref name="o"/> cannot run against its broker, each problem as <c>&lt;key&gt;:&lt;Property&gt;: …</c>.
    /// <paramref name="topics"/> are the concrete topics the ward will use on it and <paramref name="retainedTopics"/> how
    /// many of them are retained.
    /// </summary>
    public static IReadOnlyList<string> Check(MqttDestinationOptions o, string key, IReadOnlyCollection<string> topics, int retainedTopics)
    {
        var problems = new List<string>();
        if (o.Profile is not (Generic or EventGrid))
        {
            problems.Add($"{key}:Profile: must be \"{Generic}\" or \"{EventGrid}\", got \"{o.Profile}\"");
            return problems;
        }
        if (o.SessionExpiry is { } expiry && expiry < TimeSpan.Zero) problems.Add($"{key}:SessionExpiry: must not be negative, got {expiry}");
        if (o.MessagesPerSecond is <= 0) problems.Add($"{key}:MessagesPerSecond: must be positive (leave it out for no limit), got {o.MessagesPerSecond}");
        if (o.BytesPerSecond is <= 0) problems.Add($"{key}:BytesPerSecond: must be positive (leave it out for no limit), got {o.BytesPerSecond}");
        if (o.MaxRetainedBytes is < 1) problems.Add($"{key}:MaxRetainedBytes: must be positive, got {o.MaxRetainedBytes}");
        BrokerProfile p = Resolve(o);
        if (p.MaxRetainedTopics is { } maxRetained && o.RetainState && retainedTopics > maxRetained)
            problems.Add($"{key}:MaxRetainedTopics: the ward keeps {retainedTopics} retained topics (a zone, rule and camera each, and 4 for the device), "
                         + $"more than {maxRetained}; raise it within the broker's limit or set RetainState false");
        if (o.Profile == EventGrid) CheckEventGrid(o, key, p, topics, problems);
        return problems;
    }

    private static void CheckEventGrid(MqttDestinationOptions o, string key, BrokerProfile p, IReadOnlyCollection<string> topics, List<string> problems)
    {
        if (o.ProtocolVersion != "5") problems.Add($"{key}:ProtocolVersion: Event Grid profile needs MQTT \"5\" (reason codes on PUBACK, session expiry), got \"{o.ProtocolVersion}\"");
        if (!o.UseTls) problems.Add($"{key}:UseTls: Event Grid accepts TLS 1.2+ only; set it true (port 8883)");
        if (o.ClientCertificateFile is null || o.ClientKeyFile is null)
            problems.Add($"{key}:ClientCertificateFile: Event Grid profile authenticates the device by X.509: give ClientCertificateFile and ClientKeyFile (the certificate's subject is the device's client name)");
        if (p.SessionExpiry > EventGridLimits.MaxSessionExpiry)
            problems.Add($"{key}:SessionExpiry: Event Grid keeps a session at most {EventGridLimits.MaxSessionExpiry:hh\\:mm\\:ss}, got {p.SessionExpiry}");
        if (o.KeepAlive > EventGridLimits.MaxKeepAlive)
            problems.Add($"{key}:KeepAlive: Event Grid allows at most {EventGridLimits.MaxKeepAlive:hh\\:mm\\:ss}, got {o.KeepAlive}");
        if (o.MaxMessageBytes > EventGridLimits.MaxMessageBytes)
            problems.Add($"{key}:MaxMessageBytes: Event Grid takes messages of at most {EventGridLimits.MaxMessageBytes} bytes, got {o.MaxMessageBytes}");
        if (p.MessagesPerSecond > EventGridLimits.MessagesPerSecond)
            problems.Add($"{key}:MessagesPerSecond: Event Grid takes at most {EventGridLimits.MessagesPerSecond} messages/s per session, got {p.MessagesPerSecond}");
        if (p.BytesPerSecond > EventGridLimits.BytesPerSecond)
            problems.Add($"{key}:BytesPerSecond: Event Grid takes at most {EventGridLimits.BytesPerSecond} bytes/s per session, got {p.BytesPerSecond}");
        if (p.MaxRetainedBytes > EventGridLimits.MaxRetainedBytes)
            problems.Add($"{key}:MaxRetainedBytes: Event Grid keeps retained messages of at most {EventGridLimits.MaxRetainedBytes} bytes, got {p.MaxRetainedBytes}");
        if (p.CertificateSubject is { } subject)
        {
            if (o.ClientId.Length > 0 && o.ClientId != subject)
                problems.Add($"{key}:ClientId: Event Grid profile connects as the certificate's subject \"{subject}\", got \"{o.ClientId}\" (leave it empty)");
            if (o.Username is not null && o.Username != subject)
                problems.Add($"{key}:Username: Event Grid profile sends the certificate's subject \"{subject}\" as user name, got \"{o.Username}\" (leave it out)");
        }
        else if (o.ClientCertificateFile is { } cert && File.Exists(cert))
        {
            problems.Add($"{key}:ClientCertificateFile: '{cert}' has no subject common name (CN) to connect as");
        }
        foreach (string topic in topics)
        {
            int bytes = Encoding.UTF8.GetByteCount(topic), levels = topic.Count(c => c == '/') + 1;
            if (bytes > EventGridLimits.MaxTopicBytes)
                problems.Add($"{key}:TopicPrefix: the topic '{topic}' is {bytes} bytes, Event Grid allows {EventGridLimits.MaxTopicBytes} (shorten the prefix, site, ward or the id in it)");
            else if (levels > EventGridLimits.MaxTopicLevels)
                problems.Add($"{key}:TopicPrefix: the topic '{topic}' has {levels} levels, Event Grid allows {EventGridLimits.MaxTopicLevels} (use a prefix without '/')");
            if (problems.Count > 20) break;
        }
    }

    /// <summary>The common name of a PEM certificate's subject, or null when it has none (or cannot be read).</summary>
    public static string? SubjectOf(string pemFile)
    {
        try
        {
            using X509Certificate2 cert = X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));
            string cn = cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            return cn.Length > 0 ? cn : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
            return null;
        }
    }
}

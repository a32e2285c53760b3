using CloudSync.Contract;
using System.Text;
using CloudSync;
using CloudSync.Blob;
using CloudSync.Commands;
using EdgeAgent.Frames;
using EdgeAgent.Zones;
using CloudSync.Mqtt;
using CloudSync.Outbox;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// Hands events to CloudSync: with destinations configured, each batch is accepted into the durable outbox (which
/// assigns the gap-free <c>seq</c>) and every destination's loop is woken; without, events keep the event stage's
/// sequence and go only to the local file. Owns the destination loops and the outbox's periodic cleanup.
/// </summary>
public sealed class EventDelivery : IAsyncDisposable
{
    private readonly Outbox? _outbox;
    private readonly List<MqttDestination> _destinations = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _cleanupInterval;
    private long _lastCleanup;
    private readonly HashSet<string> _onEvents;
    private readonly FrameSpool? _spool;
    private readonly BlobOptions? _blobOptions;
    private readonly ILogger? _blobLogger;
    private readonly EmbeddedBroker? _embedded;

    public EventDelivery(AgentSettings settings, ILoggerFactory loggers, TimeProvider time)
    {
        _time = time;
        _cleanupInterval = settings.Sync.CleanupInterval;
        _lastCleanup = time.GetTimestamp();
        _onEvents = settings.Frames.OnEvents.ToHashSet(StringComparer.Ordinal);
        if (settings.Sync.Blob.ConnectionString.Length > 0)
        {
            _spool = new FrameSpool(settings.Sync.Blob.SpoolDirectory, settings.Sync.Blob.QuotaBytes, settings.Sync.Blob.TimeToLive, time);
            Sampler = new FrameSampler(settings.Frames, _spool, time);
            _blobOptions = settings.Sync.Blob;
            _blobLogger = loggers.CreateLogger("CloudSync.Blob");
        }
        List<MqttDestinationOptions> destinations = settings.Sync.Destinations;
        if (destinations.Count == 0 && settings.Sync.EmbeddedBrokerPort > 0)
        {
            _embedded = EmbeddedBroker.TryStartAsync(settings.Sync.EmbeddedBrokerPort, loggers.CreateLogger("EdgeAgent.Pipeline")).GetAwaiter().GetResult();
            if (_embedded is not null)
                destinations = [new MqttDestinationOptions { Name = "embedded", Host = "127.0.0.1", Port = _embedded.Port, ClientId = $"edge-{settings.Ward.EffectiveDeviceId}-demo" }];
        }
        if (destinations.Count == 0) return;
        _outbox = Outbox.Open(settings.Sync.Outbox, destinations.Select(d => d.Name).ToList(), time);
        Commands = BuiltInCommands(time, _outbox, settings.Fleet.Enabled, loggers.CreateLogger("EdgeAgent.Pipeline"));
        var topics = new Dictionary<string, TopicScheme>();
        ILogger logger = loggers.CreateLogger("CloudSync.Mqtt");
        foreach (MqttDestinationOptions d in destinations)
            _destinations.Add(new MqttDestination(d, _outbox, new TopicScheme(d.TopicPrefix, settings.Ward.Site, settings.Ward.Id), settings.Ward.EffectiveDeviceId, logger, Commands));
    }

    public Outbox? Outbox => _outbox;

    /// <summary>The agent's version, as the ping command and device.status report it.</summary>
    public static string AgentVersion { get; } =
        typeof(EventDelivery).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(EventDelivery).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Operator commands received on the destinations (null without destinations).</summary>
    public CommandIntake? Commands { get; }

    // The verbs every agent answers: "ping" (liveness, version, uptime) and "outbox" (its counts). Fleet updates do not
    // come as commands but as the retained desired state, which the fleet runtime takes from this intake.
    private static CommandIntake BuiltInCommands(TimeProvider time, Outbox outbox, bool fleetEnabled, ILogger logger)
    {
        var intake = new CommandIntake(time);
        long started = time.GetTimestamp();
        intake.Register("ping", _ => System.Text.Json.JsonSerializer.SerializeToElement(new { agent = AgentVersion, uptimeSeconds = (long)time.GetElapsedTime(started).TotalSeconds }));
        intake.Register("outbox", _ => System.Text.Json.JsonSerializer.SerializeToElement(outbox.Stats(), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        intake.DesiredStateReceived += d => HostingLog.DesiredStateReceived(logger, d.Length, fleetEnabled ? "on" : "off: ignored");
        return intake;
    }

    /// <summary>The port of the embedded demo broker, when one runs.</summary>
    public int? EmbeddedBrokerPort => _embedded?.Port;

    /// <summary>Takes anonymised frames from the cameras when Blob storage is configured; null otherwise.</summary>
    public FrameSampler? Sampler { get; }

    public BlobFrameUploader? Uploader { get; private set; }

    /// <summary>Starts the frame uploader; each uploaded frame becomes a <c>frame.sampled</c> event through <paramref name="onUploaded"/>.</summary>
    public void StartFrames(string site, string ward, Action<FrameSampled> onUploaded)
    {
        if (_spool is null || _blobOptions is null) return;
        Uploader = new BlobFrameUploader(_blobOptions, _spool, site, ward,
            (blob, f) => onUploaded(new FrameSampled(f.CapturedAt, f.Camera, blob, f.Anonymisation)), _blobLogger!);
        _loops.Add(Task.Run(() => Uploader.RunAsync(_stop.Token)));
    }

    public IReadOnlyList<MqttDestination> Destinations => _destinations;

    /// <summary>The fleet's reported state, retained on every destination's <c>…/fleet/reported</c>.</summary>
    public void ReportFleet(string json)
    {
        foreach (MqttDestination d in _destinations) d.PublishRetained(d.Topics.FleetReported, json);
    }

    public void Start()
    {
        foreach (MqttDestination d in _destinations) _loops.Add(Task.Run(() => d.RunAsync(_stop.Token)));
    }

    /// <summary>
    /// Accepts a batch: durable in the outbox when this returns (its <c>seq</c> from the outbox), or as made when there is
    /// no destination. <paramref name="state"/> (the zone engine's, after these events) is saved in the same transaction.
    /// An outbox I/O error propagates: the agent must stop and be restarted on the durable state.
    /// </summary>
    public IReadOnlyList<EventEnvelope> Accept(IReadOnlyList<EventEnvelope> made, byte[]? state)
    {
        if (Sampler is not null && made.Any(e => _onEvents.Contains(e.Type))) Sampler.Request();
        if (_outbox is null || made.Count == 0)
        {
            ConfirmFrames(made);
            return made;
        }
        var accepted = new EventEnvelope[made.Count];
        IReadOnlyList<long> seqs = _outbox.Append(made.Select((e, i) => (e.Type, (Func<long, byte[]>)(seq =>
        {
            accepted[i] = e with { Seq = seq };
            return Encoding.UTF8.GetBytes(EventFactory.ToJson(accepted[i]));
        }))).ToList(), state);
        foreach (MqttDestination d in _destinations) d.Notify();
        global::CloudSync.Storage.FailPoints.Hit(global::CloudSync.Storage.FailPoints.AfterAccept, made.Select(e => e.Type));
        ConfirmFrames(accepted);   // only now may the spooled frames of these events go
        if (_time.GetElapsedTime(_lastCleanup) >= _cleanupInterval)
        {
            _outbox.Cleanup();
            _lastCleanup = _time.GetTimestamp();
        }
        return accepted;
    }

    private void ConfirmFrames(IReadOnlyList<EventEnvelope> accepted)
    {
        if (Uploader is null) return;
        foreach (EventEnvelope e in accepted)
            if (e.Type == EventTypes.FrameSampled.Name && e.Payload["blob"]?.GetValue<string>() is { } blob) Uploader.Confirm(blob);
    }

    /// <summary>How long a clean stop waits for connected destinations to take the last events (the shutdown exits, occupancy unknown).</summary>
    public static readonly TimeSpan StopDrain = TimeSpan.FromSeconds(3);

    public async ValueTask DisposeAsync()
    {
        // A clean stop: give each connected destination a moment to publish what the stop itself produced, so its retained
        // state reads "unknown", not the last count. What is left stays in the outbox for the next start.
        var drain = System.Diagnostics.Stopwatch.StartNew();
        while (_outbox is not null && drain.Elapsed < StopDrain
               && _destinations.Any(d => d.Health.Connected && _outbox.Stats().Pending.GetValueOrDefault(d.Health.Name) > 0))
            await Task.Delay(50).ConfigureAwait(false);
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).ConfigureAwait(false);   // each publishes its retained "stopped" and disconnects
        _outbox?.Dispose();
        if (_embedded is not null) await _embedded.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}

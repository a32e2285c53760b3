using CloudSync.Mqtt;
using CloudSync.Outbox;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Health;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using EdgeAgent.Reid;
using EdgeAgent.Web;
using EdgeAgent.Zones;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The agent's parts, put together once in the order that keeps a crash safe — models loaded and verified, the outbox
/// open, the zone state read — before any camera opens: the detector and re-ID sessions, event delivery, the camera
/// pipelines, the event stage and the one <see cref="EventLoop"/>. The service and <c>edge-agent replay</c> both compose
/// the agent here; <see cref="AgentMode"/> says how they differ. What the pages show of it is <see cref="IAgentStatus"/>.
/// </summary>
public sealed class AgentRuntime : IAgentStatus, IAsyncDisposable
{
    private readonly AgentSettings _settings;
    private readonly AgentMode _mode;
    private readonly TimeProvider _time;
    private readonly long _started;
    private EventLoop? _loop;   // made once by CreateLoop, on the composing thread; read by the pages and the watchdog

    private AgentRuntime(AgentSettings settings, AgentMode mode, TimeProvider time, PersonDetector detector, ReidEmbedder? embedder, EventDelivery delivery,
                         PipelineRunner runner, EventStage stage, ZoneStateStore? store, ZoneState? leftOpen)
    {
        _settings = settings;
        _mode = mode;
        _time = time;
        _started = time.GetTimestamp();
        Detector = detector;
        Embedder = embedder;
        Delivery = delivery;
        Runner = runner;
        Stage = stage;
        Store = store;
        LeftOpen = leftOpen;
        Models = embedder is null
            ? [ModelOf("detector", detector.Model, detector.Provider)]
            : [ModelOf("detector", detector.Model, detector.Provider), ModelOf("re-identification", embedder.Model, embedder.Provider)];
    }

    /// <summary>
    /// Composes the agent for <paramref name="settings"/> (already validated). A model that is missing or fails its hash
    /// check throws <see cref="ModelException"/>, a damaged outbox an I/O error — before any camera opens.
    /// </summary>
    public static async Task<AgentRuntime> CreateAsync(AgentSettings settings, AgentMode mode, ILoggerFactory loggers, TimeProvider time, ILiveFrames? live)
    {
        PersonDetector detector = PipelineRunner.CreateDetector(settings.Detection, loggers);
        ReidEmbedder? embedder = null;
        EventDelivery? delivery = null;
        try
        {
            embedder = PipelineRunner.CreateEmbedder(settings, loggers);
            delivery = new EventDelivery(settings, loggers, time);   // the outbox opens (and is checked) before any camera
            ILogger log = loggers.CreateLogger(typeof(AgentRuntime).FullName!);
            var (store, leftOpen, lastSeq) = mode.RestoreState ? Restore(settings, delivery.Outbox, log) : (null, null, 0);
            var stage = new EventStage(settings, new EventFactory(settings.Ward.EffectiveDeviceId, settings.Ward.Site, settings.Ward.Id, lastSeq),
                time.GetUtcNow(), mediaTime: mode.MediaTime, time, watchCameras: mode.Watchdog);
            foreach (OutboxDamage d in delivery.Outbox?.Damage ?? [])
            {
                HostingLog.OutboxDamaged(log, Path.Combine(settings.Sync.Outbox.Directory, d.File), d.What, d.Lost, d.ResumedAt);
                stage.Enqueue(new OutboxDamaged(d.At, d.File, d.What, d.Lost, d.FirstSeq, d.LastSeq, d.ResumedAt));   // with the first batch
            }
            var runner = new PipelineRunner(settings, detector, mode.DropWhenBusy, loggers, time, ownsDetector: false, embedder,
                mode.SampleFrames ? delivery.Sampler : null, live);
            return new AgentRuntime(settings, mode, time, detector, embedder, delivery, runner, stage, store, leftOpen);
        }
        catch
        {
            if (delivery is not null) await delivery.DisposeAsync().ConfigureAwait(false);
            embedder?.Dispose();
            detector.Dispose();
            throw;
        }
    }

    // The service numbers events on and closes what a crash left open. With an outbox both come from it — saved in the
    // same transaction as the events, so they always agree; a zones.json from before is read once and retired. Without
    // one (events to the local file only) the state file is the memory.
    private static (ZoneStateStore? Store, ZoneState? LeftOpen, long LastSeq) Restore(AgentSettings settings, Outbox? outbox, ILogger log)
    {
        var file = new ZoneStateStore(Path.Combine(settings.Output.StateDirectory, "zones.json"));
        ZoneStateStore.Saved? saved = file.Load();
        if (file.Damaged is { } damaged) HostingLog.StateFileDamaged(log, damaged);
        if (outbox is null) return (file, saved?.State, saved?.LastSequence ?? 0);
        ZoneState? leftOpen = ZoneStateStore.Decode(outbox.State);
        if (saved is not null)
        {
            if (outbox.State is null) leftOpen = saved.State;   // upgraded from a version that kept it in zones.json
            File.Move(file.Path, file.Path + ".retired", overwrite: true);
        }
        return (null, leftOpen, outbox.LastSeq);
    }

    public PersonDetector Detector { get; }
    public ReidEmbedder? Embedder { get; }
    public EventDelivery Delivery { get; }
    public PipelineRunner Runner { get; }
    public EventStage Stage { get; }

    /// <summary>The zone state file (the service without an outbox), or null (the state travels in the outbox; a replay).</summary>
    public ZoneStateStore? Store { get; }

    /// <summary>What the previous run left open (closed with reason <c>restart</c> by the first events).</summary>
    public ZoneState? LeftOpen { get; }

    /// <summary>The event loop over this runtime's stage and outbox, made once with the observers of the caller.</summary>
    public EventLoop CreateLoop(EventLoopOptions options, IReadOnlyList<IEventLoopObserver> observers)
    {
        if (_loop is not null) throw new InvalidOperationException("the event loop is made once");
        // The service saves the zone state with the events it produced, in one outbox transaction; a replay starts afresh.
        _loop = _mode.RestoreState && Delivery.Outbox is not null
            ? new EventLoop(Stage, made => Delivery.Accept(made, ZoneStateStore.Encode(Stage.State)), options, _time, observers)
            : new EventLoop(Stage, made => Delivery.Accept(made, null), options, _time, observers);
        return _loop;
    }

    /// <summary>Runs the cameras and the event loop until every camera ends or <paramref name="stopping"/> is cancelled.</summary>
    public Task RunAsync(EventLoop loop, CancellationToken stopping) => RunAsync(loop, stopping, stopping);

    /// <summary>
    /// Runs the cameras until they end or <paramref name="stopCameras"/> is cancelled, and the event loop until the track
    /// channel ends (every camera stopped) or <paramref name="stopLoop"/> is cancelled. A camera's failure (an unreadable
    /// file) is thrown after the loop has closed what was open.
    /// </summary>
    public async Task RunAsync(EventLoop loop, CancellationToken stopCameras, CancellationToken stopLoop)
    {
        Task cameras = Runner.RunAsync(stopCameras);
        await loop.RunAsync(Runner.Channels.Tracks.Reader, LeftOpen, stopLoop).ConfigureAwait(false);
        await cameras.ConfigureAwait(false);
    }

    public string AgentVersion => EventDelivery.AgentVersion;

    public IReadOnlyDictionary<string, CameraHealth> Cameras => Runner.Health;

    public IReadOnlyList<ModelInUse> Models { get; }

    public OutboxStats? Outbox() => Delivery.Outbox?.Stats();

    public IReadOnlyList<DestinationHealth> Destinations => Delivery.Destinations.Select(d => d.Health).ToList();

    public string? Silent()
    {
        if (!_mode.Watchdog) return null;
        if (_loop is null) return "starting";
        return WatchdogGate.Silent(Runner.Health.Values, _loop.LastBeat, _time.GetTimestamp(), _settings.Output.WatchdogSilence, _time.TimestampFrequency);
    }

    /// <summary>The appliance's health as a <c>device.status</c> event: counters only, nothing about people.</summary>
    public DeviceStatus DeviceStatus()
    {
        OutboxStats? outbox = Outbox();
        return new DeviceStatus(
            _time.GetUtcNow(), AgentVersion, (long)_time.GetElapsedTime(_started).TotalSeconds,
            Runner.Health.Values.OrderBy(h => h.CameraId, StringComparer.Ordinal).Select(h => new DeviceStatus.Camera(
                h.CameraId, h.Connected, h.FramesCaptured, h.FramesProcessed, h.DroppedTotal, h.Reconnects, h.Stalls, h.DecodeErrors,
                h.State.Name, h.State.Reason, h.State.Since == DateTimeOffset.MinValue ? null : h.State.Since, h.ReconnectAttempts)).ToList(),
            Delivery.Destinations.Select(d => new DeviceStatus.Destination(
                d.Health.Name, d.Health.Connected, outbox?.Pending.GetValueOrDefault(d.Health.Name) ?? 0, d.Health.Published, d.Health.InFlightWindow, d.Health.Alarm)).ToList(),
            Stage.ClockStepsSeen);
    }

    private static ModelInUse ModelOf(string role, ModelEntry m, string provider) => new(role, m.Name, m.File, m.Sha256, provider);

    public async ValueTask DisposeAsync()
    {
        Runner.Dispose();
        await Delivery.DisposeAsync().ConfigureAwait(false);
        Embedder?.Dispose();
        Detector.Dispose();
    }
}

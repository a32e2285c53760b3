using CloudSync.Outbox;
using EdgeAgent.Badges;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Zones;
using EdgeAgent.Health;
using EdgeAgent.Inference;
using EdgeAgent.Reid;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The service: runs the configured cameras through the pipeline until stopped. Only a loop — the
/// pipeline is <see cref="PipelineRunner"/>, the same code the replay runs. A failure sets a non-zero exit
/// code and stops the host, so systemd restarts the agent.
/// </summary>
public sealed class AgentWorker(AgentSettings settings, ILoggerFactory loggers, TimeProvider time, IHostApplicationLifetime lifetime, Fleet.FleetContext? fleetContext = null,
                               Web.AgentView? view = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<AgentWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using PersonDetector detector = PipelineRunner.CreateDetector(settings.Detection, loggers);
            using ReidEmbedder? embedder = PipelineRunner.CreateEmbedder(settings, loggers);
            using var writer = settings.Output.WriteTracks
                ? new MotTrackWriter(cam => Path.Combine(settings.Output.Directory, $"{cam}.mot.txt"))
                : null;
            var store = new ZoneStateStore(Path.Combine(settings.Output.StateDirectory, "zones.json"));
            ZoneStateStore.Saved? saved = store.Load();
            var stage = new EventStage(settings, new EventFactory(settings.Ward.EffectiveDeviceId, settings.Ward.Site, settings.Ward.Id, saved?.LastSequence ?? 0),
                time.GetUtcNow(), mediaTime: false, time);
            await using var delivery = new EventDelivery(settings, loggers, time);   // the outbox opens before any camera
            using var runner = new PipelineRunner(settings, detector, dropWhenBusy: true, loggers, time, ownsDetector: false, embedder, delivery.Sampler, view?.Live);
            var boards = new Web.BoardStore(Path.Combine(settings.Output.StateDirectory, "board.json"));   // the dashboard's memory across restarts
            long boardSaved = time.GetTimestamp();
            if (view is not null)
            {
                view.Cameras = runner.Health;
                view.Detector = detector;
                view.Embedder = embedder;
                view.Delivery = delivery;
                view.Board.SetPlan(stage.Plan);
                if (boards.Load() is { } memory) view.Board.Import(memory, time.GetUtcNow());
            }
            delivery.Start();
            delivery.StartFrames(settings.Ward.Site, settings.Ward.Id, stage.Enqueue);
            Task run = runner.RunAsync(stoppingToken);
            using var fleet = settings.Fleet.Enabled && delivery.Commands is { } commands
                ? new Fleet.FleetRuntime(settings, fleetContext ?? new Fleet.FleetContext(SettingsLoader.DefaultConfigPath, null), time, loggers.CreateLogger("EdgeAgent.Fleet"), delivery.ReportFleet, () =>
                {
                    Environment.ExitCode = Cli.ExitCodes.RestartForUpdate;
                    lifetime.StopApplication();
                })
                : null;
            fleet?.Start(() => runner.Health.Values.ToList(), offer =>
            {
                delivery.Commands!.DesiredStateReceived += offer;
                if (delivery.Commands.LastDesiredState is { } latest) offer(latest);
            });
            long started = time.GetTimestamp();
            void Status()
            {
                LogStatus(runner);
                stage.Enqueue(DeviceStatusOf(runner, delivery, stage, time, started));
            }
            using var status = time.CreateTimer(_ => Status(), null, TimeSpan.Zero, settings.Output.StatusInterval);
            foreach (var (cam, error) in stage.Ward.ReprojectionErrors) AgentLog.Calibration(_logger, cam, error);
            // systemd: ready once the outbox is open and the cameras are starting; the watchdog beat only while alive.
            using var systemd = new SystemdNotify();
            long loopBeat = time.GetTimestamp();
            string? silentBefore = null;
            void Beat()
            {
                string? silent = WatchdogGate.Silent(runner.Health.Values, Interlocked.Read(ref loopBeat), time.GetTimestamp(), settings.Output.WatchdogSilence, time.TimestampFrequency);
                if (silent is null) systemd.Send("WATCHDOG=1");
                else if (silent != silentBefore) AgentLog.WatchdogWithheld(_logger, silent, settings.Output.WatchdogSilence);
                silentBefore = silent;
            }
            TimeSpan? watchdog = SystemdNotify.WatchdogInterval();
            using var beat = watchdog is { } w ? time.CreateTimer(_ => Beat(), null, w / 3, w / 3) : null;
            if (view is not null)   // /healthz answers as the watchdog decides
                view.Silent = () => WatchdogGate.Silent(runner.Health.Values, Interlocked.Read(ref loopBeat), time.GetTimestamp(), settings.Output.WatchdogSilence, time.TimestampFrequency);
            systemd.Send("READY=1");
            using var events = settings.Output.WriteEvents ? new JsonLinesEventWriter(Path.Combine(settings.Output.Directory, "events.jsonl"), append: true) : null;
            long lastSeq = stage.LastSequence;
            void Emit(IReadOnlyList<EventEnvelope> made)
            {
                if (made.Count == 0) return;
                IReadOnlyList<EventEnvelope> accepted = delivery.Accept(made);   // durable in the outbox from here on
                events?.Write(accepted);
                events?.Flush();
                store.Save(stage.State, stage.LastSequence);
                lastSeq = accepted[^1].Seq;
                // Occupancy and alerts change only with events (and zone.occupancy comes at least every OccupancyInterval,
                // which moves the shift's timeline on): the dashboard shows the zone engine's counts as of this event.
                view?.Board.Update(lastSeq, stage);
                if (view is not null && time.GetElapsedTime(boardSaved) >= TimeSpan.FromMinutes(1))
                {
                    boards.Save(view.Board.Export());
                    boardSaved = time.GetTimestamp();
                }
            }
            // A configuration saved by the editor is applied here, between two batches, by the loop that owns the zones.
            void Reconfigure()
            {
                while (view is not null && view.TryTakeReconfiguration(out AgentSettings next, out TaskCompletionSource<long> applied))
                {
                    try
                    {
                        Emit(stage.Reconfigure(next));
                        view.Applied(next);
                        view.Board.SetPlan(stage.Plan);
                        AgentLog.Reconfigured(_logger, next.Zones.Areas.Count, next.Zones.Doors.Count);
                        applied.TrySetResult(lastSeq);
                    }
                    catch (Exception e) when (e is ConfigurationException or InvalidOperationException)
                    {
                        applied.TrySetException(e);
                    }
                }
            }
            Emit(stage.Start(saved?.State));
            using var badges = BadgeReaderGroup.Start(settings.Badges, stage.Enqueue, loggers, time);
            var reader = runner.Channels.Tracks.Reader;
            var modelHealth = new ModelHealth();
            long healthSince = time.GetTimestamp();
            try
            {
                while (true)
                {
                    Interlocked.Exchange(ref loopBeat, time.GetTimestamp());
                    // Wake at least every second so exits and alerts are decided even when no camera delivers.
                    using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    tick.CancelAfter(TimeSpan.FromSeconds(1));
                    bool more;
                    try { more = await reader.WaitToReadAsync(tick.Token); }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { Reconfigure(); Emit(stage.Tick(time.GetUtcNow())); continue; }
                    if (!more) break;
                    if (time.GetElapsedTime(healthSince) >= settings.Output.ModelHealthInterval)
                    {
                        stage.Enqueue(new ModelHealthReport(time.GetUtcNow(), settings.Detection.Model, time.GetElapsedTime(healthSince), modelHealth.TakeReport()));
                        healthSince = time.GetTimestamp();
                    }
                    Reconfigure();
                    while (reader.TryRead(out TrackSnapshot? snapshot))
                    {
                        modelHealth.Observe(snapshot);
                        var (ward, made) = stage.Add(snapshot);
                        if (view is not null)
                            foreach (Ward.WardSnapshot ws in ward) view.Board.Observe(ws, stage.RoleOf);
                        Emit(made);
                        writer?.Write(snapshot);
                        if (snapshot.Sequence % 50 == 0) writer?.Flush();
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            systemd.Send("STOPPING=1");
            Emit(stage.Flush().Events);
            Emit(stage.Stop());
            if (view is not null) boards.Save(view.Board.Export());
            await run;
            LogStatus(runner);
            if (!stoppingToken.IsCancellationRequested)
            {
                // Every camera ended (video files without looping): nothing left to do.
                AgentLog.Stopped(_logger);
                lifetime.StopApplication();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            AgentLog.Crashed(_logger, e.Message, e);
            Environment.ExitCode = Cli.ExitCodes.Failure;
            lifetime.StopApplication();
        }
    }

    private static DeviceStatus DeviceStatusOf(PipelineRunner runner, EventDelivery delivery, EventStage stage, TimeProvider time, long started)
    {
        OutboxStats? outbox = delivery.Outbox?.Stats();
        return new DeviceStatus(
            time.GetUtcNow(), EventDelivery.AgentVersion, (long)time.GetElapsedTime(started).TotalSeconds,
            runner.Health.Values.OrderBy(h => h.CameraId, StringComparer.Ordinal).Select(h => new DeviceStatus.Camera(
                h.CameraId, h.Connected, h.FramesCaptured, h.FramesProcessed, h.DroppedTotal, h.Reconnects, h.Stalls, h.DecodeErrors)).ToList(),
            delivery.Destinations.Select(d => new DeviceStatus.Destination(
                d.Health.Name, d.Health.Connected, outbox?.Pending.GetValueOrDefault(d.Health.Name) ?? 0, d.Health.Published, d.Health.InFlightWindow, d.Health.Alarm)).ToList(),
            stage.ClockStepsSeen);
    }

    private void LogStatus(PipelineRunner runner)
    {
        foreach (CameraHealth h in runner.Health.Values)
            AgentLog.CameraStatus(_logger, h.CameraId, h.Connected, h.FramesCaptured, h.FramesProcessed, h.DropSummary(), h.Reconnects, h.Stalls, h.DecodeErrors);
    }
}

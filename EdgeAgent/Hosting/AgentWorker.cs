using EdgeAgent.Badges;
using EdgeAgent.Configuration;
using EdgeAgent.Events;
using EdgeAgent.Health;
using EdgeAgent.Web;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The service: runs the composed agent until stopped. Only a loop — the parts are <see cref="AgentRuntime"/>, the
/// events <see cref="EventLoop"/>, the same code a replay runs. Around it: the status timer, fleet updates, badge
/// readers and the systemd watchdog. A failure sets a non-zero exit code and stops the host, so systemd restarts the agent.
/// </summary>
public sealed class AgentWorker(AgentSettings settings, AgentRuntime runtime, ILoggerFactory loggers, TimeProvider time, IHostApplicationLifetime lifetime,
                               Fleet.FleetContext fleetContext, AgentView? view = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<AgentWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            EventDelivery delivery = runtime.Delivery;
            using var events = settings.Output.WriteEvents ? new JsonLinesEventWriter(Path.Combine(settings.Output.Directory, "events.jsonl"), append: true) : null;
            using var tracks = settings.Output.WriteTracks ? new Evaluation.MotTrackWriter(cam => Path.Combine(settings.Output.Directory, $"{cam}.mot.txt")) : null;
            var observers = new List<IEventLoopObserver> { new CameraMonitor(settings.Capture, runtime.Runner.Health, time, _logger) };
            foreach (string zone in runtime.Stage.Coverage.Unwatched) HostingLog.ZoneUnwatched(_logger, zone);
            if (events is not null) observers.Add(new EventFileObserver(events, flushEachBatch: true));
            if (runtime.Store is { } store) observers.Add(new ZoneStateObserver(store));
            if (view is not null)
            {
                var boards = new BoardStore(Path.Combine(settings.Output.StateDirectory, "board.json"));   // the dashboard's memory across restarts
                view.Board.SetPlan(runtime.Stage.Plan, runtime.Stage.Coverage.CamerasOf, settings.Zones.UnknownRole);
                if (boards.Load() is { } memory) view.Board.Import(memory, time.GetUtcNow());
                observers.Add(new DashboardObserver(view, boards, time, _logger));
            }
            if (tracks is not null) observers.Add(new TrackFileObserver(tracks));
            EventLoop loop = runtime.CreateLoop(EventLoopOptions.Service(settings), observers);

            delivery.Start();
            delivery.StartFrames(settings.Ward.Site, settings.Ward.Id, runtime.Stage.Enqueue);
            using var fleet = settings.Fleet.Enabled && delivery.Commands is not null
                ? new Fleet.FleetRuntime(settings, fleetContext, time, loggers.CreateLogger("EdgeAgent.Fleet"), delivery.ReportFleet, () =>
                {
                    Environment.ExitCode = ExitCodes.RestartForUpdate;
                    lifetime.StopApplication();
                })
                : null;
            fleet?.Start(() => runtime.Runner.Health.Values.ToList(), offer =>
            {
                delivery.Commands!.DesiredStateReceived += offer;
                if (delivery.Commands.LastDesiredState is { } latest) offer(latest);
            });
            using var status = time.CreateTimer(_ =>
            {
                LogStatus();
                runtime.Stage.Enqueue(runtime.DeviceStatus());
            }, null, TimeSpan.Zero, settings.Output.StatusInterval);
            foreach (var (cam, error) in runtime.Stage.Ward.ReprojectionErrors) HostingLog.Calibration(_logger, cam, error);
            // systemd: ready once the outbox is open and the cameras are starting; the watchdog beat only while alive.
            using var systemd = new SystemdNotify();
            string? silentBefore = null;
            TimeSpan? watchdog = SystemdNotify.WatchdogInterval();
            using var beat = watchdog is { } w ? time.CreateTimer(_ =>
            {
                string? silent = runtime.Silent();
                if (silent is null) systemd.Send("WATCHDOG=1");
                else if (silent != silentBefore) HostingLog.WatchdogWithheld(_logger, silent, settings.Output.WatchdogSilence);
                silentBefore = silent;
            }, null, w / 3, w / 3) : null;
            systemd.Send("READY=1");
            using var badges = BadgeReaderGroup.Start(settings.Badges, runtime.Stage.Enqueue, loggers, time);

            using var stopping = new StopSignal(() => systemd.Send("STOPPING=1"), stoppingToken);
            await runtime.RunAsync(loop, stoppingToken);
            LogStatus();
            if (!stoppingToken.IsCancellationRequested)
            {
                // Every camera ended (video files without looping): nothing left to do.
                HostingLog.Stopped(_logger);
                lifetime.StopApplication();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            HostingLog.Crashed(_logger, e.Message, e);
            Environment.ExitCode = ExitCodes.Failure;
            lifetime.StopApplication();
        }
    }

    private void LogStatus()
    {
        foreach (CameraHealth h in runtime.Runner.Health.Values)
            HostingLog.CameraStatus(_logger, h.CameraId, h.Connected, h.FramesCaptured, h.FramesProcessed, h.DropSummary(), h.Reconnects, h.Stalls, h.DecodeErrors);
    }

    // Tells systemd the agent is stopping as soon as the stop is asked for (the loop then closes what is open).
    private sealed class StopSignal(Action onStop, CancellationToken token) : IDisposable
    {
        private readonly CancellationTokenRegistration _registration = token.Register(onStop);

        public void Dispose() => _registration.Dispose();
    }
}

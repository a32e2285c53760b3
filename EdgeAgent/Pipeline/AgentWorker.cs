using EdgeAgent.Configuration;
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
public sealed class AgentWorker(AgentSettings settings, ILoggerFactory loggers, TimeProvider time, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<AgentWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using PersonDetector detector = PipelineRunner.CreateDetector(settings.Detection, loggers);
            using ReidEmbedder? embedder = PipelineRunner.CreateEmbedder(settings, loggers);
            using var runner = new PipelineRunner(settings, detector, dropWhenBusy: true, loggers, time, ownsDetector: false, embedder);
            using var writer = settings.Output.WriteTracks
                ? new MotTrackWriter(cam => Path.Combine(settings.Output.Directory, $"{cam}.mot.txt"))
                : null;
            Task run = runner.RunAsync(stoppingToken);
            using var status = time.CreateTimer(_ => LogStatus(runner), null, settings.Output.StatusInterval, settings.Output.StatusInterval);
            try
            {
                var ward = new Ward.WardStage(settings.Capture.Cameras, settings.Ward, time);
                foreach (var (cam, error) in ward.ReprojectionErrors) AgentLog.Calibration(_logger, cam, error);
                await foreach (TrackSnapshot snapshot in runner.Channels.Tracks.Reader.ReadAllAsync(stoppingToken))
                {
                    ward.Add(snapshot);   // ward identities in time order; zones and events build on this (issue 4)
                    writer?.Write(snapshot);
                    if (snapshot.Sequence % 50 == 0) writer?.Flush();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
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

    private void LogStatus(PipelineRunner runner)
    {
        foreach (CameraHealth h in runner.Health.Values)
            AgentLog.CameraStatus(_logger, h.CameraId, h.Connected, h.FramesCaptured, h.FramesProcessed, h.DropSummary(), h.Reconnects, h.Stalls, h.DecodeErrors);
    }
}

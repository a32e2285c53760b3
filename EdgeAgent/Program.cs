using EdgeAgent.Capture;
using EdgeAgent.Cli;
using EdgeAgent.Configuration;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using EdgeAgent.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

string command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
string[] rest = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[1..] : args;

using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

try
{
    return command switch
    {
        "run" => await RunServiceAsync(new CliArgs(rest, new HashSet<string>()), loggers),
        "replay" => await ReplayCommand.RunAsync(new CliArgs(rest, ReplayCommand.Flags), loggers, cancel.Token),
        "bench" => await BenchCommand.RunAsync(new CliArgs(rest, new HashSet<string>()), loggers, cancel.Token),
        "models" => await ModelsCommand.RunAsync(new CliArgs(rest, new HashSet<string>()), cancel.Token),
        "evaluate" => EvaluateCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "track" => TrackCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "roster" => RosterCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "fleet" => await FleetCommand.RunAsync(rest, cancel.Token),
        "check" => CheckConfiguration(new CliArgs(rest, new HashSet<string>())),
        "sync-writer" => SyncWriterCommand.Run(new CliArgs(rest, new HashSet<string> { "verify-only" }), cancel.Token),
        "sync-bench" => await SyncBenchCommand.RunAsync(new CliArgs(rest, new HashSet<string>()), cancel.Token),
        "help" or "-h" => Usage(ExitCodes.Ok),
        _ => Usage(ExitCodes.Usage),
    };
}
catch (CliException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.Usage; }
catch (ConfigurationException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.InvalidConfiguration; }
catch (ModelException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.ModelError; }
catch (CaptureException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.CaptureError; }
catch (FormatException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.Usage; }
catch (FileNotFoundException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.Usage; }
catch (InvalidDataException e) { Console.Error.WriteLine($"edge-agent: {e.Message}"); return ExitCodes.InvalidConfiguration; }

// Validates a configuration file the way the service does at start (provisioning and fleet updates use it), and exits.
static int CheckConfiguration(CliArgs cli)
{
    string config = cli.Get("config") ?? throw new CliException("--config is required");
    cli.RejectUnknown();
    AgentSettings s = SettingsLoader.Load(config, overrides: null, requireCameras: true);
    Console.WriteLine($"{config}: valid ({s.Capture.Cameras.Count} camera(s), {s.Zones.Areas.Count} zone(s), {s.Sync.Destinations.Count} destination(s))");
    return ExitCodes.Ok;
}

static async Task<int> RunServiceAsync(CliArgs cli, ILoggerFactory loggers)
{
    string? config = cli.Get("config");
    cli.RejectUnknown();
    // Validate everything before the host starts: a bad setting stops the agent before any camera opens.
    AgentSettings provisioned = SettingsLoader.Load(config, overrides: null, requireCameras: true);
    // With fleet updates on, the current release's configuration runs (or the last known good, after a failed trial).
    var (settings, onTrial) = EdgeAgent.Fleet.FleetStartup.Resolve(provisioned);

    var fleetContext = new EdgeAgent.Fleet.FleetContext(config ?? SettingsLoader.DefaultConfigPath, onTrial);
    string? webProblem = null;
    if (!settings.Web.Enabled || !WebAccess.CanListen(settings.Web.Urls, out webProblem))
    {
        if (webProblem is not null) loggers.CreateLogger("EdgeAgent.Web").LogError("Web:Urls: {Problem}; the agent runs without its pages, /metrics and /healthz", webProblem);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        AddAgent(builder.Services, settings, fleetContext);
        using IHost host = builder.Build();
        await host.RunAsync();
        return Environment.ExitCode;
    }
    if (!WebAccess.LoopbackOnly(settings.Web.Urls, out _) && settings.Web.Urls.Contains("http://", StringComparison.OrdinalIgnoreCase))
        loggers.CreateLogger("EdgeAgent.Web").LogWarning("Web:Urls: {Urls} serves plain HTTP beyond localhost: the token crosses the network in the clear; use https:// with Web:CertificateFile", settings.Web.Urls);
    // The pages, dashboard, /metrics and /healthz on Kestrel (Web/), in the same host as the pipeline.
    var view = new EdgeAgent.Web.AgentView(settings, fleetContext.ProvisionedConfig, TimeProvider.System);
    WebApplicationBuilder web = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
    web.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    AddAgent(web.Services, settings, fleetContext);
    web.AddWeb(view);
    await using WebApplication app = web.Build();
    app.MapWeb(view);
    await app.StartAsync();
    await app.WaitForShutdownAsync();
    return Environment.ExitCode;
}

static void AddAgent(IServiceCollection services, AgentSettings settings, EdgeAgent.Fleet.FleetContext fleetContext)
{
    services.AddSystemd();
    services.AddSingleton(settings);
    services.AddSingleton(fleetContext);
    services.AddSingleton(TimeProvider.System);
    services.AddHostedService<AgentWorker>();
}

static int Usage(int code)
{
    Console.WriteLine("""
        edge-agent — on-device person tracking for a hospital ward

          edge-agent [run] [--config FILE]       run the configured cameras as a service (until stopped)
          edge-agent replay --input VIDEO [--config FILE] [--mot-out FILE] [--gt FILE] [--summary-out FILE]
                            [--events-out FILE] [--realtime] [--frames N] [--min-mota X] [--web URL] [--quiet]
          edge-agent bench --input VIDEO [--config FILE] [--frames N]
          edge-agent models pull [--from DIR] [--to DIR] [--model NAME] | models verify
          edge-agent evaluate --gt FILE --results FILE
          edge-agent roster build --csv FILE --out FILE   badge roster (salted hashes of badge ids; no names)
          edge-agent fleet keygen|sign|publish|status ...   signed desired states for the wards (see docs/fleet.md)
          edge-agent check --config FILE   validate a configuration file as the service would (exit 3 naming each problem)
          edge-agent sync-bench [--events N] [--backlog N] [--dir DIR]   outbox and MQTT delivery figures (starts its own mosquitto)
          edge-agent sync-writer --dir DIR --accepted FILE [--verify-only]   power-loss workload and check (scripts/powerloss.sh)
          edge-agent track --detections FILE [--config FILE] [--gt FILE] [--mot-out FILE] [--frame-rate F]

        exit codes: 0 ok, 1 failure, 2 usage, 3 invalid configuration, 4 model error, 5 capture error, 6 accuracy below floor
        """);
    return code;
}

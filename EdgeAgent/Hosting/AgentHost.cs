using EdgeAgent.Configuration;
using EdgeAgent.Fleet;
using EdgeAgent.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// <c>edge-agent run</c>: validates the configuration, composes the agent (<see cref="AgentRuntime"/>) and runs it in the
/// Generic Host under systemd — with its pages on Kestrel in the same host when <c>Web</c> is enabled and can listen.
/// </summary>
public static class AgentHost
{
    public static async Task<int> RunAsync(string? config, ILoggerFactory loggers)
    {
        // Validate everything before the host starts: a bad setting stops the agent before any camera opens.
        AgentSettings provisioned = SettingsLoader.Load(config, overrides: null, requireCameras: true);
        // With fleet updates on, the current release's configuration runs (or the last known good, after a failed trial).
        var (settings, onTrial) = FleetStartup.Resolve(provisioned);
        if (StatePaths.LockProblem(settings) is { } held) throw new ConfigurationException([held]);   // one agent per state directory
        var fleetContext = new FleetContext(config ?? SettingsLoader.DefaultConfigPath, onTrial);
        ILogger webLog = loggers.CreateLogger("EdgeAgent.Web");
        string? webProblem = null;
        bool web = settings.Web.Enabled && WebAccess.CanListen(settings.Web.Urls, out webProblem);
        if (webProblem is not null) webLog.LogError("Web:Urls: {Problem}; the agent runs without its pages, /metrics and /healthz", webProblem);
        if (web && !WebAccess.LoopbackOnly(settings.Web.Urls, out _) && settings.Web.Urls.Contains("http://", StringComparison.OrdinalIgnoreCase))
            webLog.LogWarning("Web:Urls: {Urls} serves plain HTTP beyond localhost: the token crosses the network in the clear; use https:// with Web:CertificateFile", settings.Web.Urls);

        var live = web ? new LiveFrames(settings.Web, settings.Frames, TimeProvider.System) : null;
        AgentRuntime runtime;
        try
        {
            runtime = await AgentRuntime.CreateAsync(settings, AgentMode.Service, loggers, TimeProvider.System, live);
        }
        catch (Exception e) when (ExitCodes.For(e) == ExitCodes.Failure)
        {
            HostingLog.Crashed(loggers.CreateLogger(typeof(AgentHost).FullName!), e.Message, e);
            return ExitCodes.Failure;
        }
        await using AgentRuntime owned = runtime;
        if (live is null)
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            AddAgent(builder.Services, settings, runtime, fleetContext, view: null);
            using IHost host = builder.Build();
            await host.RunAsync();
            return Environment.ExitCode;
        }
        // The pages, dashboard, /metrics and /healthz on Kestrel (Web/), in the same host as the pipeline.
        var view = new AgentView(settings, fleetContext.ProvisionedConfig, TimeProvider.System, runtime, live, new WardBoard(settings.Web));
        WebApplicationBuilder app = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        app.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        AddAgent(app.Services, settings, runtime, fleetContext, view);
        app.AddWeb(view);
        await using WebApplication running = app.Build();
        running.MapWeb(view);
        await running.StartAsync();
        ReportExposure(running.Urls, settings.Web, webLog);
        await running.WaitForShutdownAsync();
        return Environment.ExitCode;
    }

    // What Kestrel actually bound, read back after it started: beyond loopback without a token, every request that
    // arrives there is refused by the pages' guard (WebAccess.Reachable) — this line says why to whoever reads the journal.
    private static void ReportExposure(ICollection<string> bound, WebOptions options, ILogger log)
    {
        foreach (string address in bound)
        {
            bool loopback = WebUrl.TryParse(address, out WebUrl? url, out _) && url.Loopback;
            if (!loopback && options.Token.Length == 0)
                log.LogError("Web: Kestrel bound {Address} beyond localhost but Web:Token is empty: every request arriving there is refused", address);
            else
                log.LogInformation("Web: pages on {Address}{Access}", address, options.Token.Length > 0 ? " (token required)" : " (localhost, no token)");
        }
    }

    private static void AddAgent(IServiceCollection services, AgentSettings settings, AgentRuntime runtime, FleetContext fleetContext, AgentView? view)
    {
        services.AddSystemd();
        services.AddSingleton(settings);
        services.AddSingleton(runtime);
        services.AddSingleton(fleetContext);
        services.AddSingleton(TimeProvider.System);
        services.AddHostedService(sp => new AgentWorker(settings, runtime, sp.GetRequiredService<ILoggerFactory>(), TimeProvider.System,
            sp.GetRequiredService<IHostApplicationLifetime>(), fleetContext, view));
    }
}

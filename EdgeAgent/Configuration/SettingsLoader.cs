using Microsoft.Extensions.Configuration;

namespace EdgeAgent.Configuration;

/// <summary>
/// Builds the agent's configuration from one file — <c>--config FILE</c>, else <c>/etc/edge-agent/appsettings.json</c>,
/// else the bundled <c>appsettings.json</c> beside the executable — then <c>EDGEAGENT_</c> environment variables
/// (<c>EDGEAGENT_Tracking__NewTrackThreshold=0.7</c>), then overrides. Unknown keys and unconvertible values are
/// errors naming the key.
/// </summary>
public static class SettingsLoader
{
    public const string SystemConfigPath = "/etc/edge-agent/appsettings.json";

    public static IConfigurationRoot Build(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        // One base file, never a merge of several: the binder merges lists by index, so a site's camera list
        // layered over the bundled sample camera would silently keep the sample. Keys a file leaves out take
        // the option classes' defaults, which are the bundled file's values.
        string baseFile;
        if (configFile is not null)
        {
            baseFile = Path.GetFullPath(configFile);
            if (!File.Exists(baseFile)) throw new ConfigurationException([$"--config: file '{configFile}' does not exist"]);
            if (ConfigurationLimits.Check(baseFile) is { Count: > 0 } tooBig) throw new ConfigurationException(tooBig);
        }
        else
        {
            baseFile = File.Exists(SystemConfigPath) ? SystemConfigPath : BundledConfigPath;
        }
        var builder = new ConfigurationBuilder();
        if (File.Exists(baseFile)) builder.AddJsonFile(baseFile, optional: false);
        builder.AddEnvironmentVariables("EDGEAGENT_");
        if (overrides is not null) builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw new ConfigurationException([$"{baseFile}: not valid JSON: {e.Message}"]);
        }
    }

    /// <summary>The file used without <c>--config</c>: the system one when present, else the bundled one.</summary>
    public static string DefaultConfigPath => File.Exists(SystemConfigPath) ? SystemConfigPath : BundledConfigPath;

    /// <summary>The embedded default beside the executable: the sample video and the default model.</summary>
    public static string BundledConfigPath => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    /// <summary>Binds every section; unknown keys and values of the wrong type become problems naming the key.</summary>
    public static AgentSettings Bind(IConfiguration configuration)
    {
        var settings = new AgentSettings();
        var problems = new List<string>();
        BindSection(configuration, Capture.CaptureOptions.SectionName, settings.Capture, problems);
        BindSection(configuration, Inference.DetectorOptions.SectionName, settings.Detection, problems);
        BindSection(configuration, Tracking.TrackerOptions.SectionName, settings.Tracking, problems);
        BindSection(configuration, Reid.ReidOptions.SectionName, settings.Reid, problems);
        BindSection(configuration, EdgeAgent.Ward.WardOptions.SectionName, settings.Ward, problems);
        BindSection(configuration, OutputOptions.SectionName, settings.Output, problems);
        BindSection(configuration, Zones.ZoneOptions.SectionName, settings.Zones, problems);
        BindSection(configuration, Roles.RoleOptions.SectionName, settings.Roles, problems);
        BindSection(configuration, Badges.BadgeOptions.SectionName, settings.Badges, problems);
        BindSection(configuration, global::CloudSync.SyncOptions.SectionName, settings.Sync, problems);
        BindSection(configuration, Frames.FrameOptions.SectionName, settings.Frames, problems);
        BindSection(configuration, global::CloudSync.Fleet.FleetPolicy.SectionName, settings.Fleet, problems);
        BindSection(configuration, Web.WebOptions.SectionName, settings.Web, problems);
        foreach (IConfigurationSection section in configuration.GetChildren())
            if (!KnownSections.Contains(section.Key))   // only the file and EDGEAGENT_ variables feed this, so anything else is a typo
                problems.Add($"{section.Key}: unknown section (known: {string.Join(", ", KnownSections.Order(StringComparer.Ordinal))})");
        if (problems.Count > 0) throw new ConfigurationException(problems);
        return settings;
    }

    public static AgentSettings Load(string? configFile, IDictionary<string, string?>? overrides, bool requireCameras)
    {
        AgentSettings settings = Bind(Build(configFile, overrides));
        SettingsValidator.ThrowIfInvalid(settings, requireCameras);
        return settings;
    }

    private static readonly HashSet<string> KnownSections = new(StringComparer.OrdinalIgnoreCase)
    {
        Capture.CaptureOptions.SectionName, Inference.DetectorOptions.SectionName, Tracking.TrackerOptions.SectionName, Reid.ReidOptions.SectionName,
        EdgeAgent.Ward.WardOptions.SectionName, OutputOptions.SectionName, Zones.ZoneOptions.SectionName, Roles.RoleOptions.SectionName,
        Badges.BadgeOptions.SectionName, global::CloudSync.SyncOptions.SectionName, Frames.FrameOptions.SectionName, global::CloudSync.Fleet.FleetPolicy.SectionName, Web.WebOptions.SectionName, "Logging",
    };

    private static void BindSection(IConfiguration configuration, string name, object target, List<string> problems)
    {
        try
        {
            configuration.GetSection(name).Bind(target, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            problems.Add($"{name}: {e.Message}" + (e.InnerException is { } inner ? $" ({inner.Message})" : ""));
        }
    }
}

using Microsoft.Extensions.Configuration;

namespace EdgeAgent.Configuration;

/// <summary>
/// Builds the agent's configuration: the bundled <c>appsettings.json</c> beside the executable, then
/// <c>/etc/edge-agent/appsettings.json</c>, then an explicit file, then <c>EDGEAGENT_</c> environment
/// variables, then command-line overrides. Unknown keys and unconvertible values are errors naming the key.
/// </summary>
public static class SettingsLoader
{
    public const string SystemConfigPath = "/etc/edge-agent/appsettings.json";

    public static IConfigurationRoot Build(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(SystemConfigPath, optional: true);
        if (configFile is not null)
        {
            string full = Path.GetFullPath(configFile);
            if (!File.Exists(full)) throw new ConfigurationException([$"--config: file '{configFile}' does not exist"]);
            builder.AddJsonFile(full, optional: false);
        }
        builder.AddEnvironmentVariables("EDGEAGENT_");
        if (overrides is not null) builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw new ConfigurationException([$"{configFile ?? "appsettings.json"}: not valid JSON: {e.Message}"]);
        }
    }

    /// <summary>Binds every section; unknown keys and values of the wrong type become problems naming the key.</summary>
    public static AgentSettings Bind(IConfiguration configuration)
    {
        var settings = new AgentSettings();
        var problems = new List<string>();
        BindSection(configuration, Capture.CaptureOptions.SectionName, settings.Capture, problems);
        BindSection(configuration, Inference.DetectorOptions.SectionName, settings.Detection, problems);
        BindSection(configuration, Tracking.TrackerOptions.SectionName, settings.Tracking, problems);
        BindSection(configuration, OutputOptions.SectionName, settings.Output, problems);
        if (problems.Count > 0) throw new ConfigurationException(problems);
        return settings;
    }

    public static AgentSettings Load(string? configFile, IDictionary<string, string?>? overrides, bool requireCameras)
    {
        AgentSettings settings = Bind(Build(configFile, overrides));
        SettingsValidator.ThrowIfInvalid(settings, requireCameras);
        return settings;
    }

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

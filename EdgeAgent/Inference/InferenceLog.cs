using Microsoft.Extensions.Logging;

namespace EdgeAgent.Inference;

/// <summary>Log messages of the inference stage (event ids 2000–2099).</summary>
internal static partial class InferenceLog
{
    [LoggerMessage(2000, LogLevel.Information, "Execution provider {Provider} loaded {Model}")]
    public static partial void ProviderSelected(ILogger logger, string provider, string model);

    [LoggerMessage(2001, LogLevel.Warning, "Execution provider {Provider} is not available, trying the next one: {Reason}")]
    public static partial void ProviderUnavailable(ILogger logger, string provider, string reason);

    [LoggerMessage(2002, LogLevel.Information, "Detector {Model} ({Family}, {Width}x{Height}) warmed up in {Milliseconds:0} ms on {Provider}")]
    public static partial void WarmedUp(ILogger logger, string model, string family, int width, int height, double milliseconds, string provider);
}

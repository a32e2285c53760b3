namespace EdgeAgent.Hosting;

/// <summary>A command was called wrongly (an unknown option, a missing value): exit code <see cref="ExitCodes.Usage"/>.</summary>
public class UsageException(string message) : Exception(message);

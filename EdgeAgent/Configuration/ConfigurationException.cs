namespace EdgeAgent.Configuration;

/// <summary>Invalid configuration. Each problem names the key (<c>Section:Key</c>) and what is wrong with it.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems)
    : Exception("invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

namespace EdgeAgent.Cli;

/// <summary>
/// A command's options as the commands read them — <c>Get("config")</c>, <c>Has("probe")</c>, <c>GetInt("frames")</c>,
/// <c>Positional</c> — made by <see cref="CommandLine"/> from System.CommandLine's parse, which owns the grammar, the
/// help and the errors for unknown commands, options and words.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    /// <summary>The options the parser found (a flag has a null value) and the command's first word, if it takes one.</summary>
    public CliArgs(IReadOnlyDictionary<string, string?> options, IEnumerable<string> positional)
    {
        foreach (var (name, value) in options) _options[name] = value;
        Positional.AddRange(positional);
    }

    public List<string> Positional { get; } = [];

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public bool Has(string name) => _options.ContainsKey(name);

    public int? GetInt(string name)
    {
        string? v = Get(name);
        if (v is null) return null;
        return int.TryParse(v, out int n) && n > 0 ? n : throw new CliException($"option --{name} must be a positive integer, got '{v}'");
    }

}

/// <summary>A command line that cannot be run; the message says which option is wrong.</summary>
public sealed class CliException(string message) : Hosting.UsageException(message);

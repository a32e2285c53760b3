namespace EdgeAgent.Cli;

/// <summary>Minimal <c>--name value</c> / <c>--flag</c> parser; unknown options are errors that name the option.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CliArgs(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) { Positional.Add(a); continue; }
            string name = a[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            else if (!flags.Contains(name))
            {
                if (i + 1 >= list.Count) throw new CliException($"option --{name} needs a value");
                value = list[++i];
            }
            _options[name] = value;
        }
    }

    public List<string> Positional { get; } = [];

    public string? Get(string name)
    {
        _used.Add(name);
        return _options.GetValueOrDefault(name);
    }

    public bool Has(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public int? GetInt(string name)
    {
        string? v = Get(name);
        if (v is null) return null;
        return int.TryParse(v, out int n) && n > 0 ? n : throw new CliException($"option --{name} must be a positive integer, got '{v}'");
    }

    /// <summary>The one option a command takes (or null), failing on any other.</summary>
    public string? GetOnly(string name)
    {
        string? value = Get(name);
        RejectUnknown();
        return value;
    }

    /// <summary>Fails on any option the command did not ask for (typos).</summary>
    public void RejectUnknown()
    {
        string? unknown = _options.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null) throw new CliException($"unknown option --{unknown}");
    }
}

/// <summary>A command line that cannot be run; the message says which option is wrong.</summary>
public sealed class CliException(string message) : Hosting.UsageException(message);

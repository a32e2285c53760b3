using Microsoft.Extensions.Logging;

namespace EdgeAgent.Badges;

/// <summary>The configured badge readers with their roster, started together and stopped together.</summary>
public sealed class BadgeReaderGroup : IDisposable
{
    private readonly List<BadgeReader> _readers = [];

    private BadgeReaderGroup() { }

    public IReadOnlyList<BadgeReader> Readers => _readers;

    /// <summary>Loads the roster (when readers are configured) and starts one thread per reader; reads go to <paramref name="sink"/>.</summary>
    public static BadgeReaderGroup Start(BadgeOptions options, Action<BadgeRead> sink, ILoggerFactory loggers, TimeProvider time)
    {
        var group = new BadgeReaderGroup();
        if (options.Readers.Count == 0) return group;
        ILogger logger = loggers.CreateLogger("EdgeAgent.Badges");
        BadgeRoster roster = BadgeRoster.Load(options.Roster!);
        BadgeLog.RosterLoaded(logger, options.Roster!, roster.Count);
        foreach (BadgeReaderOptions r in options.Readers)
        {
            var reader = new BadgeReader(r, options, roster, sink, logger, time);
            group._readers.Add(reader);
            reader.Start();
        }
        return group;
    }

    public void Dispose()
    {
        foreach (BadgeReader r in _readers) r.Dispose();
    }
}

namespace EdgeAgent.Badges;

/// <summary>
/// Joins badge reads at a door with the person who crosses that door within <see cref="BadgeOptions.FusionWindow"/>,
/// whichever comes first: the nearest in time wins, and each read and each crossing is used once. Returns the role
/// learned for a person (ward pseudonym). Pure and single-threaded; times are the event stage's clock.
/// </summary>
public sealed class BadgeFusion(TimeSpan window)
{
    private readonly List<(DateTimeOffset At, BadgeRead Read)> _reads = [];
    private readonly List<(DateTimeOffset At, string Door, string Person)> _crossings = [];

    /// <summary>A read arrived; if someone crossed that door within the window, they get its role.</summary>
    public (string Person, string Role)? OnRead(BadgeRead read, DateTimeOffset at)
    {
        Expire(at);
        int best = -1;
        for (int i = 0; i < _crossings.Count; i++)
            if (_crossings[i].Door == read.Door && (best < 0 || Gap(_crossings[i].At, at) < Gap(_crossings[best].At, at))) best = i;
        if (best < 0)
        {
            _reads.Add((at, read));
            return null;
        }
        string person = _crossings[best].Person;
        _crossings.RemoveAt(best);
        return (person, read.Role);
    }

    /// <summary>A person crossed a door; if a read at that door came within the window, they get its role.</summary>
    public string? OnCrossing(string door, string person, DateTimeOffset at)
    {
        Expire(at);
        int best = -1;
        for (int i = 0; i < _reads.Count; i++)
            if (_reads[i].Read.Door == door && (best < 0 || Gap(_reads[i].At, at) < Gap(_reads[best].At, at))) best = i;
        if (best < 0)
        {
            _crossings.Add((at, door, person));
            return null;
        }
        string role = _reads[best].Read.Role;
        _reads.RemoveAt(best);
        return role;
    }

    private static TimeSpan Gap(DateTimeOffset a, DateTimeOffset b) => (a - b).Duration();

    private void Expire(DateTimeOffset now)
    {
        _reads.RemoveAll(r => now - r.At > window);
        _crossings.RemoveAll(c => now - c.At > window);
    }
}

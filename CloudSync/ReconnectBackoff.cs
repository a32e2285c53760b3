namespace CloudSync;

/// <summary>
/// Exponential backoff with jitter for reopening a camera, a serial reader, a broker connection or an upload: initial, 2×, 4×, … capped at the maximum,
/// each delay spread by ±jitter so many cameras do not retry in lock step. Pure: no clock, no I/O.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private int _failures;

    /// <summary>Failures since the last success.</summary>
    public int Failures => _failures;

    /// <summary>The delay before the next attempt; call after each failure.</summary>
    public TimeSpan NextDelay()
    {
        double factor = Math.Pow(2, Math.Min(_failures, 30));
        _failures++;
        double baseMs = Math.Min(initial.TotalMilliseconds * factor, max.TotalMilliseconds);
        double spread = 1 + jitter * (2 * _random() - 1);
        return TimeSpan.FromMilliseconds(Math.Max(0, Math.Min(baseMs * spread, max.TotalMilliseconds * (1 + jitter))));
    }

    /// <summary>A frame arrived: the next failure starts from the initial delay again.</summary>
    public void Reset() => _failures = 0;
}

namespace CloudSync.Storage;

/// <summary>
/// Named places where a test may kill the process (SIGKILL, as a power cut or the OOM killer would), to prove that a
/// crash at exactly that step loses and repeats nothing. Off unless the environment variable <c>EDGE_FAILPOINT</c> is
/// set to <c>point</c> or <c>point@type</c> (only when the batch holds a message of that type); the process then kills
/// itself the first time it reaches that point. Costs one field read when off.
/// </summary>
public static class FailPoints
{
    private static readonly (string Point, string? Type)? Armed = Parse(Environment.GetEnvironmentVariable("EDGE_FAILPOINT"));

    /// <summary>The steps of accepting a batch, in order.</summary>
    public const string BeforeReserve = "outbox.before-reserve", BeforeCommit = "outbox.before-commit", AfterCommit = "outbox.after-commit",
        AfterHighWater = "outbox.after-high-water", AfterAccept = "accept.after";

    public static void Hit(string point, IEnumerable<string> types)
    {
        if (Armed is not { } armed || armed.Point != point) return;
        if (armed.Type is { } type && !types.Contains(type, StringComparer.Ordinal)) return;
        Console.Error.WriteLine($"failpoint {point} reached: killing the process");
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();   // SIGKILL: no finaliser, no flush, no shutdown
        Thread.Sleep(Timeout.Infinite);
    }

    private static (string, string?)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        int at = value.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (value.Trim(), null) : (value[..at].Trim(), value[(at + 1)..].Trim());
    }
}

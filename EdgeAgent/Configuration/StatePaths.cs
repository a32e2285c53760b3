using CloudSync.Storage;

namespace EdgeAgent.Configuration;

/// <summary>
/// The folders the agent writes, checked where they are before any camera opens — so <c>check</c> refuses what
/// <c>run</c> would stumble on: a path that is a file, a parent that is a file, a folder this user cannot write, and
/// (<see cref="LockProblem"/>, for <c>check</c> and <c>run</c> only) a state directory another agent holds.
/// </summary>
public static class StatePaths
{
    public static IEnumerable<(string Key, string Path)> Writable(AgentSettings s)
    {
        yield return ($"{OutputOptions.SectionName}:Directory", s.Output.Directory);
        yield return ($"{OutputOptions.SectionName}:StateDirectory", s.Output.StateDirectory);
        yield return ("Sync:Outbox:Directory", s.Sync.Outbox.Directory);
        if (s.Sync.Blob.ConnectionString.Length > 0) yield return ("Sync:Blob:SpoolDirectory", s.Sync.Blob.SpoolDirectory);
    }

    public static void AddProblems(AgentSettings s, List<string> problems)
    {
        foreach (var (key, path) in Writable(s))
            if (path.Length > 0 && Problem(path) is { } problem) problems.Add($"{key}: {problem}");
    }

    /// <summary>Why <paramref name="path"/> cannot serve as a folder the agent writes, or null.</summary>
    public static string? Problem(string path)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) return $"'{full}' is a file, not a directory";
        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) return $"'{existing}' (on the way to '{full}') is a file, not a directory";
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) return null;
        if (Environment.IsPrivilegedProcess) return null;   // root writes anywhere a read-only mount allows; the service's own user is checked at start
        try
        {
            string probe = Path.Combine(existing, $".edge-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return $"'{existing}' is not writable by this user ({e.Message})";
        }
    }

    /// <summary>The outbox directory held by another agent, as a <c>check</c>/<c>run</c> problem, or null.</summary>
    public static string? LockProblem(AgentSettings s) =>
        StateLock.Probe(s.Sync.Outbox.Directory) is { } held ? $"Sync:Outbox:Directory: {held}" : null;
}

namespace CloudSync.Storage;

/// <summary>
/// One agent per state directory: an exclusive lock on <c>.lock</c> in it (flock through FileShare.None); the owner's
/// process id goes to <c>.owner</c> beside it (a locked file cannot be read) for the message a second agent prints.
/// Released when disposed or when the process dies, however it dies.
/// </summary>
public sealed class StateLock : IDisposable
{
    public const string FileName = ".lock", OwnerFileName = ".owner";
    private readonly FileStream _file;

    private StateLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="directory"/>, or throws <see cref="Outbox.OutboxLockedException"/> naming the holder.</summary>
    public static StateLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            string holder = "";
            try { holder = File.ReadAllText(Path.Combine(directory, OwnerFileName)).Trim(); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw new Outbox.OutboxLockedException($"'{Path.GetFullPath(directory)}' is in use by another edge-agent{(holder.Length > 0 ? $" (pid {holder})" : "")}: " +
                "two agents on one state directory would corrupt its outbox; stop the other one or give this one another directory");
        }
        try { File.WriteAllText(Path.Combine(directory, OwnerFileName), $"{Environment.ProcessId}\n"); }
        catch (IOException) { }   // only the message would lack the pid
        return new StateLock(file);
    }

    /// <summary>Why <paramref name="directory"/> could not be locked now (another agent holds it), or null — the lock is released at once.</summary>
    public static string? Probe(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        try
        {
            using StateLock held = Acquire(directory);
            return null;
        }
        catch (Outbox.OutboxLockedException e)
        {
            return e.Message;
        }
    }

    public void Dispose() => _file.Dispose();
}

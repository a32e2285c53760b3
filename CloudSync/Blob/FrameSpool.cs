using System.Globalization;

namespace CloudSync.Blob;

/// <summary>
/// Anonymised frames waiting for upload, as files in one folder (written to a temporary name and renamed, so a
/// crash leaves whole files only): oldest first, bounded by bytes (the oldest go first) and by age, every removal
/// counted by reason. Frames are the lowest class: they never hold events back.
/// </summary>
public sealed class FrameSpool
{
    private readonly string _dir;
    private readonly long _quotaBytes;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _dropped;

    public FrameSpool(string directory, long quotaBytes, TimeSpan ttl, TimeProvider time)
    {
        _dir = directory;
        _quotaBytes = quotaBytes;
        _ttl = ttl;
        _time = time;
        Directory.CreateDirectory(directory);
        foreach (string tmp in Directory.GetFiles(directory, "*.tmp")) File.Delete(tmp);   // cut short by a crash
    }

    /// <summary>Frames removed before upload (quota or age) since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public sealed record SpooledFrame(string Path, string Camera, DateTimeOffset CapturedAt, string Anonymisation);

    public void Add(string camera, DateTimeOffset capturedAt, string anonymisation, byte[] jpeg)
    {
        lock (_lock)
        {
            string name = $"{capturedAt.UtcTicks:D19}.{camera}.{anonymisation}.jpg";   // ids hold no '.'; names sort by time
            string path = System.IO.Path.Combine(_dir, name);
            File.WriteAllBytes(path + ".tmp", jpeg);
            File.Move(path + ".tmp", path, overwrite: true);
            Trim();
        }
    }

    /// <summary>The oldest waiting frames (after dropping what is past its TTL or over the quota).</summary>
    public IReadOnlyList<SpooledFrame> Oldest(int max)
    {
        lock (_lock)
        {
            Trim();
            return Files().Take(max).Select(Parse).OfType<SpooledFrame>().ToList();
        }
    }

    public void Remove(SpooledFrame frame)
    {
        lock (_lock) File.Delete(frame.Path);
    }

    private IEnumerable<string> Files() => Directory.GetFiles(_dir, "*.jpg").Order(StringComparer.Ordinal);

    private void Trim()
    {
        DateTimeOffset now = _time.GetUtcNow();
        var files = Files().Select(f => new FileInfo(f)).ToList();
        long total = files.Sum(f => f.Length);
        foreach (FileInfo f in files)
        {
            bool expired = Parse(f.FullName) is { } s && now - s.CapturedAt > _ttl;
            if (!expired && total <= _quotaBytes) continue;
            total -= f.Length;
            f.Delete();
            Interlocked.Increment(ref _dropped);
        }
    }

    private static SpooledFrame? Parse(string path)
    {
        string[] parts = System.IO.Path.GetFileNameWithoutExtension(path).Split('.', 3);
        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)) return null;
        return new SpooledFrame(path, parts[1], new DateTimeOffset(ticks, TimeSpan.Zero), parts[2]);
    }
}

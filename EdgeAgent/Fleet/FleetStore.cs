using System.Text.Json;

namespace EdgeAgent.Fleet;

/// <summary>What the device runs and what the fleet asked, kept in <c>Fleet:Directory/state.json</c>.</summary>
public sealed record FleetState
{
    /// <summary>The release running and proven healthy (0: the provisioned configuration).</summary>
    public long Current { get; init; }

    /// <summary>The version of the last desired state received with a valid signature (accepted or not).</summary>
    public long? Desired { get; init; }

    /// <summary>The highest manifest version accepted: the anti-rollback counter.</summary>
    public long LastAccepted { get; init; }

    /// <summary>A release activated and on trial until the health gate passes; null when none.</summary>
    public long? Pending { get; init; }

    /// <summary>Starts of the pending release so far (a release that keeps crashing is rolled back too).</summary>
    public int PendingStarts { get; init; }

    public long? FailedVersion { get; init; }

    /// <summary>The failure was on the way (download, disk): the version is tried again when its document comes back.</summary>
    public bool FailedTransient { get; init; }
    public string? FailedReason { get; init; }
}

/// <summary>
/// The releases on disk: <c>releases/&lt;version&gt;/</c> each holding a whole configuration and its models, and the
/// symlinks <c>current</c> and <c>previous</c> (last known good). Switching is one atomic rename of a symlink, so a
/// power cut mid-apply leaves either the old or the new release, never a mix of configuration and models.
/// </summary>
public sealed partial class FleetStore(string directory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Directory { get; } = Path.GetFullPath(directory);
    public string Releases => Path.Combine(Directory, "releases");
    public string ReleaseDirectory(long version) => Path.Combine(Releases, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The directory of the current release, or null when the device runs its provisioned configuration.</summary>
    public string? CurrentRelease => Target("current");

    public string? PreviousRelease => Target("previous");

    public FleetState Load()
    {
        string path = Path.Combine(Directory, "state.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<FleetState>(File.ReadAllText(path), Json) ?? new FleetState() : new FleetState();
    }

    public void Save(FleetState state)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string path = Path.Combine(Directory, "state.json");
        using (var f = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(f, state, Json);
            f.Flush(flushToDisk: true);
        }
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Makes <paramref name="release"/> current (null: back to the provisioned configuration); the old current becomes previous.</summary>
    public void Activate(string? release)
    {
        string? old = CurrentRelease;
        Point("previous", old);
        Point("current", release);
    }

    /// <summary>Back to the last known good release: previous becomes current again.</summary>
    public void RollBack() => Point("current", PreviousRelease);

    /// <summary>Removes releases that are neither current nor previous, and staging left by a crash.</summary>
    public void CollectGarbage()
    {
        if (!System.IO.Directory.Exists(Releases)) return;
        var keep = new HashSet<string?>([CurrentRelease, PreviousRelease], StringComparer.Ordinal);
        foreach (string dir in System.IO.Directory.GetDirectories(Releases))
            if (!keep.Contains(Path.GetFullPath(dir))) System.IO.Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// A release with a new agent is on trial: <c>systemd/edge-agent-launch</c> counts its starts and, if it stops three
    /// times before its health gate, switches back to <c>previous</c> itself and leaves <c>agent-rolled-back</c>.
    /// </summary>
    public void MarkAgentTrial(long version)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, "agent-trial"), version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Delete(Path.Combine(Directory, "agent-trial-starts"));
    }

    /// <summary>The trial of a new agent is over (kept or rolled back).</summary>
    public void EndAgentTrial()
    {
        File.Delete(Path.Combine(Directory, "agent-trial"));
        File.Delete(Path.Combine(Directory, "agent-trial-starts"));
    }

    /// <summary>The version the launcher rolled back (and forgets it), or null.</summary>
    public long? TakeLauncherRollback()
    {
        string marker = Path.Combine(Directory, "agent-rolled-back");
        if (!File.Exists(marker)) return null;
        long.TryParse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture, out long v);
        File.Delete(marker);
        return v;
    }

    /// <summary>Removes <c>releases/*.staging</c>: what a crash left of a release being fetched.</summary>
    public void RemoveStaging()
    {
        if (!System.IO.Directory.Exists(Releases)) return;
        foreach (string dir in System.IO.Directory.GetDirectories(Releases, "*.staging")) System.IO.Directory.Delete(dir, recursive: true);
    }

    private string? Target(string name)
    {
        var link = new FileInfo(Path.Combine(Directory, name));
        return link.LinkTarget is { } t ? Path.GetFullPath(t, Directory) : null;
    }

    private void Point(string name, string? target)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string link = Path.Combine(Directory, name);
        if (target is null)
        {
            File.Delete(link);
            return;
        }
        string temp = link + ".new";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, target);
        // rename(2) replaces the link atomically (File.Move follows a link to a directory and refuses it).
        if (Rename(temp, link) != 0) throw new IOException($"rename {temp} -> {link} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}

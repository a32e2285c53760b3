using System.Formats.Tar;
using System.IO.Compression;

namespace CloudSync.Fleet;

/// <summary>
/// Unpacks an agent release (a .tar.gz) into an empty directory, refusing — the whole archive, on the first bad entry —
/// anything that could write outside it or smuggle something in: absolute paths, <c>..</c>, symbolic and hard links,
/// devices and pipes, more than <see cref="MaxEntries"/> entries, more than <see cref="MaxBytes"/> unpacked or a
/// compression ratio above <see cref="MaxRatio"/> (a bomb). Paths are checked after canonicalisation, against the
/// target with a trailing separator.
/// </summary>
public static class SafeArchive
{
    public const int MaxEntries = 20_000;
    public const long MaxBytes = 2L * 1024 * 1024 * 1024;
    public const int MaxRatio = 200;

    public static void ExtractTarGz(string archive, string target)
    {
        string root = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(root);
        long compressed = Math.Max(1, new FileInfo(archive).Length), total = 0;
        int entries = 0;
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (++entries > MaxEntries) throw new FleetRefusal($"agent archive: more than {MaxEntries} entries");
            string name = entry.Name;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.Directory))
                throw new FleetRefusal($"agent archive: '{name}' is a {entry.EntryType}; only files and directories are accepted");
            if (Path.IsPathRooted(name) || name.Split('/', '\\').Contains("..")) throw new FleetRefusal($"agent archive: '{name}' points outside the release");
            string path = Path.GetFullPath(Path.Combine(root, name));
            if (!path.StartsWith(root, StringComparison.Ordinal) && path + Path.DirectorySeparatorChar != root)
                throw new FleetRefusal($"agent archive: '{name}' points outside the release");
            if (entry.EntryType == TarEntryType.Directory)
            {
                Directory.CreateDirectory(path);
                continue;
            }
            total += entry.Length;
            if (total > MaxBytes) throw new FleetRefusal($"agent archive: more than {MaxBytes} bytes unpacked");
            if (total / compressed > MaxRatio) throw new FleetRefusal($"agent archive: unpacks to more than {MaxRatio} times its size");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            entry.ExtractToFile(path, overwrite: false);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, (entry.Mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }
    }
}

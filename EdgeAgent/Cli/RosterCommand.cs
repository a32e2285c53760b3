using EdgeAgent.Badges;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent roster build --csv FILE --out FILE</c>: the badge roster from a staff CSV (columns <c>badge</c>,
/// <c>role</c>, optional <c>department</c>; others, such as names, are ignored). The roster holds only salted hashes
/// of the badge ids. Problems are reported by line number, never by badge id; any problem fails the build.
/// </summary>
public static class RosterCommand
{
    public static int Run(CliArgs args)
    {
        string verb = args.Positional.Count > 0 ? args.Positional[0] : "";
        string? csv = args.Get("csv");
        string? output = args.Get("out");
        if (verb != "build") throw new CliException("usage: edge-agent roster build --csv FILE --out FILE");
        if (csv is null || output is null) throw new CliException("roster build needs --csv FILE and --out FILE");
        if (!File.Exists(csv)) throw new CliException($"--csv: file '{csv}' does not exist");
        var (file, problems) = BadgeRoster.Build(File.ReadLines(csv));
        foreach (string p in problems) Console.Error.WriteLine($"{csv}: {p}");
        if (problems.Count > 0)
        {
            Console.Error.WriteLine("roster not written: fix the lines above");
            return ExitCodes.Failure;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        string tmp = output + ".tmp";
        File.WriteAllText(tmp, BadgeRoster.ToJson(file));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, output, overwrite: true);
        Console.WriteLine($"roster: {file.Entries.Count} badges written to {output} (salted hashes only; names and badge ids are not stored)");
        return ExitCodes.Ok;
    }
}

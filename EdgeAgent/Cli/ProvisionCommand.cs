using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent provision --answers FILE [--out FILE] [--probe] [--no-start]</c>: turns a short answers file into the
/// ward's configuration, checks it exactly as <c>check</c> does (models verified; cameras opened with <c>--probe</c>),
/// and only then installs it (atomically, the previous one kept as <c>.previous</c>) and enables and starts the service.
/// Until a configuration is installed the packaged service does not start (its <c>ExecCondition</c> says why in the
/// journal). Nothing is installed when anything is wrong; the exit code is <c>check</c>'s.
/// </summary>
public static class ProvisionCommand
{
    public const string DefaultOut = "/etc/edge-agent/appsettings.json";
    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "probe", "no-start" };

    // The service runs as the edge-agent user: the file (which may hold a broker password) is root's, readable by the
    // service's group only.
    private static void ShareWithTheService(string path)
    {
        if (!Environment.IsPrivilegedProcess || !File.ReadLines("/etc/group").Any(l => l.StartsWith("edge-agent:", StringComparison.Ordinal))) return;
        using var chown = Process.Start(new ProcessStartInfo("chown", ["root:edge-agent", path]) { UseShellExecute = false })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0) throw new IOException($"could not give {path} to the edge-agent group (chown exit {chown.ExitCode})");
    }

    public static int Run(CliArgs cli)
    {
        string answersFile = cli.Get("answers") ?? throw new CliException("--answers FILE is required (see docs/install.md for its keys)");
        string output = cli.Get("out") ?? DefaultOut;
        bool probe = cli.Has("probe"), start = !cli.Has("no-start");
        if (!File.Exists(answersFile)) throw new CliException($"--answers: file '{answersFile}' does not exist");
        JsonObject config = WardAnswers.Parse(File.ReadAllLines(answersFile), answersFile).ToConfiguration();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        string staged = output + ".new";
        File.WriteAllText(staged, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(staged, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        try
        {
            Console.WriteLine(CheckCommand.Check(staged, probe));
        }
        catch
        {
            File.Delete(staged);   // nothing installed
            throw;
        }
        if (File.Exists(output)) File.Copy(output, output + ".previous", overwrite: true);
        ShareWithTheService(staged);
        File.Move(staged, output, overwrite: true);
        Console.WriteLine($"provisioned: {output}");
        if (!start) return ExitCodes.Ok;
        if (!Directory.Exists("/run/systemd/system"))
        {
            Console.WriteLine("systemd is not running here: start the agent with 'edge-agent run --config " + output + "'");
            return ExitCodes.Ok;
        }
        var systemctl = Process.Start(new ProcessStartInfo("systemctl", ["enable", "--now", "edge-agent.service"]) { UseShellExecute = false })!;
        systemctl.WaitForExit();
        if (systemctl.ExitCode != 0)
        {
            Console.Error.WriteLine($"edge-agent: the configuration is installed but 'systemctl enable --now edge-agent' failed ({systemctl.ExitCode}); see 'journalctl -u edge-agent'");
            return ExitCodes.Failure;
        }
        Console.WriteLine("edge-agent.service enabled and started: 'systemctl status edge-agent', 'journalctl -u edge-agent -f'");
        return ExitCodes.Ok;
    }
}

using System.Diagnostics;
using System.Text;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Runs a command the way <c>systemd/edge-agent.service</c> would where no systemd runs (this machine has none as PID 1),
/// reproducing from the unit file itself: <c>User</c>/<c>Group</c> (with their supplementary groups), <c>WorkingDirectory</c>,
/// every <c>Environment=</c>, <c>ExecCondition</c> and <c>ExecStart</c>, <c>StateDirectory</c>/<c>CacheDirectory</c>/
/// <c>LogsDirectory</c> (created, owned by the user, mode 0700), <c>ProtectSystem=strict</c> (the root filesystem
/// read-only in a private mount namespace, those three directories writable), <c>PrivateTmp</c> (a private /tmp)
/// and <c>ProtectHome</c> (an empty, read-only /root and /home). Not reproduced: the seccomp filter, capability
/// bounding, device policy and the watchdog (checked by <c>systemd-analyze</c> and <c>SystemdUnitTests</c>).
/// </summary>
public sealed class UnitSandbox
{
    public UnitSandbox(string unitFile)
    {
        foreach (string raw in File.ReadAllLines(unitFile))
        {
            string line = raw.Trim();
            int eq = line.IndexOf('=');
            if (line.StartsWith('#') || eq <= 0) continue;
            string key = line[..eq], value = line[(eq + 1)..];
            switch (key)
            {
                case "User": User = value; break;
                case "Group": Group = value; break;
                case "WorkingDirectory": WorkingDirectory = value; break;
                case "ExecStart": ExecStart = value; break;
                case "ExecCondition": ExecCondition = value; break;
                case "StateDirectory": Writable.Add($"/var/lib/{value}"); break;
                case "CacheDirectory": Writable.Add($"/var/cache/{value}"); break;
                case "LogsDirectory": Writable.Add($"/var/log/{value}"); break;
                case "Environment":
                    foreach (string assignment in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        Environment[assignment[..assignment.IndexOf('=')]] = assignment[(assignment.IndexOf('=') + 1)..];
                    break;
                default: Settings[key] = value; break;
            }
        }
    }

    public string User { get; } = "root";
    public string Group { get; } = "root";
    public string WorkingDirectory { get; } = "/";
    public string ExecStart { get; } = "";
    public string? ExecCondition { get; }
    public List<string> Writable { get; } = [];
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>The shell script that sets the sandbox up in a private mount namespace and execs <paramref name="command"/> as the user.</summary>
    public string Script(string command)
    {
        var sb = new StringBuilder("set -e\n");
        foreach (string dir in Writable)
            sb.Append($"mkdir -p {dir}; chown {User}:{Group} {dir}; chmod 0700 {dir}; mount --bind {dir} {dir}\n");
        if (Settings.GetValueOrDefault("ProtectSystem") == "strict") sb.Append("mount -o remount,bind,ro /\n");
        if (Settings.GetValueOrDefault("PrivateTmp") == "yes") sb.Append("mount -t tmpfs -o mode=1777 tmpfs /tmp\n");
        if (Settings.GetValueOrDefault("ProtectHome") == "yes") sb.Append("mount -t tmpfs -o ro,mode=0755 tmpfs /root; mount -t tmpfs -o ro,mode=0755 tmpfs /home\n");
        sb.Append($"cd {WorkingDirectory}\n");
        string env = string.Join(' ', Environment.Select(kv => $"{kv.Key}={kv.Value}"));
        sb.Append($"exec setpriv --reuid={User} --regid={Group} --init-groups --reset-env env {env} {command}\n");
        return sb.ToString();
    }

    /// <summary>Starts <paramref name="command"/> (ExecStart by default) in the sandbox; the caller disposes the process.</summary>
    public Process Start(string? command = null)
    {
        var psi = new ProcessStartInfo("unshare", ["-m", "--propagation", "private", "sh", "-c", Script(command ?? ExecStart)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        return Process.Start(psi)!;
    }
}

using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Runs a command-line tool (systemd-analyze, shellcheck, bats, dpkg-deb, …) and returns its exit code and output.</summary>
public static class ToolRun
{
    public static (int Code, string Output) Run(string exe, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd() + err.Result;
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}

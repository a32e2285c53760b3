using System.Diagnostics;
using System.Text;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Runs the real <c>edge-agent</c> executable (from the test output) as a child process, in the repository root.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();

    public AgentProcess(params string[] args) : this(new Dictionary<string, string>(), args)
    {
    }

    public AgentProcess(IReadOnlyDictionary<string, string> environment, params string[] args) : this(null, environment, args)
    {
    }

    /// <summary>Runs <paramref name="executable"/> (e.g. the systemd launcher) instead of the agent built here.</summary>
    public AgentProcess(string? executable, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = TestAssets.RepoRoot,
        };
        if (executable is null) psi.ArgumentList.Add(TestAssets.AgentDll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public int Pid => _process.Id;

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(true);
            Assert.Fail($"edge-agent did not exit within {timeout}; stdout: {Stdout}; stderr: {Stderr}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args) =>
        Run(timeout, new Dictionary<string, string>(), args);

    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = new AgentProcess(environment, args);
        int code = p.WaitForExit(timeout);
        return (code, p.Stdout, p.Stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(true);
        _process.Dispose();
    }
}

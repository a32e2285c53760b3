using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using EdgeAgent.Health;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Systemd;

/// <summary>
/// systemd/edge-agent.service, linted as the CI machine allows (PID 1 is not systemd there: restart and watchdog
/// behaviour itself is for the device), and the agent's side of <c>Type=notify</c> and the watchdog.
/// </summary>
public class SystemdUnitTests
{
    private static string Unit => Path.Combine(TestAssets.RepoRoot, "systemd", "edge-agent.service");

    private static (int Code, string Output) Run(string exe, params string[] args) => ToolRun.Run(exe, Path.GetTempPath(), args);

    private static void RequireSystemdAnalyze()
    {
        if (!File.Exists("/usr/bin/systemd-analyze")) Assert.Fail("systemd-analyze missing: scripts/test.sh installs the systemd package");
    }

    [Test]
    public void Unit_Verifies_WithoutAnyWarning()
    {
        // In a throw-away root holding the host's units and the agent where the unit expects it, so that verify checks
        // the ExecStart path and every dependency without touching /usr or /etc of this machine.
        RequireSystemdAnalyze();
        string root = TestAssets.NewTempDirectory();
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/edge-agent"));
        Directory.CreateDirectory(Path.Combine(root, "etc/systemd/system"));
        File.Copy(Path.Combine(Path.GetDirectoryName(TestAssets.AgentDll)!, "edge-agent"), Path.Combine(root, "usr/lib/edge-agent/edge-agent"));
        File.Copy(Path.Combine(TestAssets.RepoRoot, "systemd", "edge-agent-launch"), Path.Combine(root, "usr/lib/edge-agent/edge-agent-launch"));
        File.Copy(Unit, Path.Combine(root, "etc/systemd/system/edge-agent.service"));
        foreach (string dir in new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.Where(Directory.Exists).Take(1))
            foreach (string f in Directory.EnumerateFileSystemEntries(dir))
                if (File.Exists(f)) File.Copy(f, Path.Combine(Directory.CreateDirectory(Path.Combine(root, "usr/lib/systemd/system")).FullName, Path.GetFileName(f)), true);
        var (code, output) = Run("systemd-analyze", "verify", $"--root={root}", "edge-agent.service");
        Assert.That(code, Is.Zero, output);
        Assert.That(output.Trim(), Is.Empty, "no warning (an unknown or misspelt directive is only a warning)");
    }

    [Test]
    public void Unit_SecurityExposure_AtMostTwo()
    {
        RequireSystemdAnalyze();
        var (_, output) = Run("systemd-analyze", "security", "--offline=yes", "--no-pager", Unit);
        Match m = Regex.Match(output, @"Overall exposure level for edge-agent\.service: (\d+\.\d+)");
        Assert.That(m.Success, Is.True, output);
        double exposure = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"systemd-analyze security: exposure {exposure}");
        Assert.That(exposure, Is.LessThanOrEqualTo(2.0));
    }

    [Test]
    public void Unit_HasTheDirectivesTheAgentRelieson()
    {
        string unit = File.ReadAllText(Unit);
        foreach (string line in new[] { "Type=notify", "WatchdogSec=", "Restart=always", "StateDirectory=edge-agent", "User=edge-agent", "DevicePolicy=closed", "NoNewPrivileges=yes" })
            Assert.That(unit, Does.Contain(line));
        Assert.That(unit, Does.Not.Contain("MemoryDenyWriteExecute=yes"), "the JIT needs writable+executable pages");
        Assert.That(unit, Does.Not.Contain("PrivateDevices=yes"), "it would hide the cameras, serial ports and GPU");
    }

    [Test]
    public void WatchdogGate_HungConnectedCamera_WithholdsTheBeat_DisconnectedCameraDoesNot()
    {
        long f = Stopwatch.Frequency;
        TimeSpan silence = TimeSpan.FromMilliseconds(100);
        var live = new CameraHealth("bay3");
        var hung = new CameraHealth("bay4");
        hung.Connected = true;   // connected, then nothing goes through its pipeline
        live.Connected = true;
        Thread.Sleep(250);
        live.FrameProcessed();
        long now = Stopwatch.GetTimestamp();
        Assert.That(WatchdogGate.Silent([live], now, now, silence, f), Is.Null, "a camera whose frames go through keeps the beat");
        Assert.That(WatchdogGate.Silent([live, hung], now, now, silence, f), Is.EqualTo("camera bay4"), "a connected camera that processes nothing withholds it");
        hung.Connected = false;
        Assert.That(WatchdogGate.Silent([live, hung], now, now, silence, f), Is.Null, "a camera being reconnected does not withhold it");
        Assert.That(WatchdogGate.Silent([live], now - f, now, silence, f), Is.EqualTo("the event loop"));
    }

    [Test]
    [Category("Integration")]
    public void Service_UnderANotifySocket_SendsReadyThenWatchdogBeats_ThenStopping()
    {
        string dir = TestAssets.NewTempDirectory();
        string socketPath = Path.Combine(dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        socket.ReceiveTimeout = 1000;
        var messages = new List<string>();
        using var agent = new AgentProcess(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "1500000" },
            "run", "--config", EventServiceTests.Config(dir));
        var clock = Stopwatch.StartNew();
        var buffer = new byte[256];
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && messages.Count(m => m == "WATCHDOG=1") < 3)
        {
            try { messages.Add(Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer))); }
            catch (SocketException) { }
        }
        Process.Start("kill", ["-TERM", agent.Pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(30)), Is.Zero, agent.Stderr);
        while (true)
        {
            try { messages.Add(Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer))); }
            catch (SocketException) { break; }
        }
        Assert.That(messages.IndexOf("READY=1"), Is.GreaterThanOrEqualTo(0), string.Join(" | ", messages));
        Assert.That(messages.Count(m => m == "WATCHDOG=1"), Is.GreaterThanOrEqualTo(3), "the beat flows while the camera and the loop are alive");
        Assert.That(messages.IndexOf("WATCHDOG=1"), Is.GreaterThan(messages.IndexOf("READY=1")));
        Assert.That(messages, Does.Contain("STOPPING=1"));
    }
}

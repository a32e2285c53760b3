namespace EdgeAgent.Tests.Cli;

/// <summary>The documented power-loss command (scripts/powerloss.sh, RELIABILITY N11) and its writer/verifier.</summary>
[Category("Integration")]
[NonParallelizable]
public class PowerLossCommandTests
{
    [Test]
    public void SyncWriter_AnAcceptedEventMissingFromTheOutbox_IsReportedWithExitSeven()
    {
        string dir = TestAssets.NewTempDirectory();
        string accepted = Path.Combine(dir, "accepted.log");
        File.WriteAllText(accepted, "1\n2\n");   // two events claimed accepted, the outbox is empty
        using var verify = new AgentProcess("sync-writer", "--dir", Path.Combine(dir, "outbox"), "--accepted", accepted, "--verify-only");
        Assert.That(verify.WaitForExit(TimeSpan.FromSeconds(30)), Is.EqualTo(7));
        Assert.That(verify.Stderr, Does.Contain("accepted events lost: 1, 2"));
    }

    [Test]
    public void PowerLossScript_ThreeKills_EveryAcceptedEventPresent()
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(TestAssets.RepoRoot, "scripts", "powerloss.sh"), "--runs", "3"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var script = System.Diagnostics.Process.Start(psi)!;
        string output = script.StandardOutput.ReadToEnd() + script.StandardError.ReadToEnd();
        Assert.That(script.WaitForExit(120_000), Is.True);
        Assert.That(script.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("power loss: 3 runs, every accepted event present"));
        Assert.That(output, Does.Match(@"verify: [1-9]\d* accepted"), "events were accepted before a kill");
    }
}

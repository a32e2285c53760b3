using System.Diagnostics;

namespace EdgeAgent.Tests.Systemd;

/// <summary>The .deb (scripts/package.sh, checked with lintian) and the provisioning scripts (shellcheck, bats dry runs).</summary>
[Category("Integration")]
[NonParallelizable]
public class PackagingTests
{
    private static (int Code, string Output) Run(string exe, params string[] args) => ToolRun.Run(exe, TestAssets.RepoRoot, args);

    private static void Require(string tool)
    {
        if (!File.Exists($"/usr/bin/{tool}")) Assert.Fail($"{tool} missing: scripts/test.sh installs it");
    }

    [Test]
    public void EveryShellScript_PassesShellcheck()
    {
        Require("shellcheck");
        string[] scripts = Directory.GetFiles(Path.Combine(TestAssets.RepoRoot, "scripts"), "*.sh", SearchOption.AllDirectories)
            .Append(Path.Combine(TestAssets.RepoRoot, ".ci", "run")).Append(Path.Combine(TestAssets.RepoRoot, "systemd", "edge-agent-launch")).Select(p => Path.GetRelativePath(TestAssets.RepoRoot, p)).ToArray();
        Assert.That(scripts, Has.Length.GreaterThanOrEqualTo(7));
        var (code, output) = Run("shellcheck", ["-x", .. scripts]);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void FlashScripts_BatsDryRunsAndTemporaryRootRuns_Pass()
    {
        Require("bats");
        var (code, output) = Run("bats", Path.Combine("scripts", "flash", "test"), Path.Combine("systemd", "test"));
        TestContext.Out.WriteLine(output);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("1..18"));
    }

    [Test]
    public void DebianPackage_X64_Builds_PassesLintianWithoutErrors_InstallsUnitUserAndConffile()
    {
        Require("lintian");
        string outDir = TestAssets.NewTempDirectory();
        var (code, output) = Run("bash", "scripts/package.sh", "--arch", "x64", "--version", "0.0.1", "--out", outDir);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("lintian: 0 error(s)"));
        string deb = Path.Combine(outDir, "edge-agent_0.0.1_amd64.deb");
        var (_, contents) = Run("dpkg-deb", "--contents", deb);
        foreach (string path in new[] { "./lib/systemd/system/edge-agent.service", "./usr/lib/edge-agent/edge-agent", "./usr/lib/edge-agent/edge-agent-launch", "./etc/edge-agent/appsettings.json",
                     "./usr/lib/edge-agent/libOpenCvSharpExtern.so", "./usr/lib/edge-agent/libonnxruntime.so" })
            Assert.That(contents, Does.Contain(path));
        var (_, conffiles) = Run("dpkg-deb", "--info", deb, "conffiles");
        Assert.That(conffiles.Trim(), Is.EqualTo("/etc/edge-agent/appsettings.json"));
        var (_, postinst) = Run("dpkg-deb", "--info", deb, "postinst");
        Assert.That(postinst, Does.Contain("adduser --system --group").And.Contain("systemctl enable edge-agent.service"));
    }
}

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
        Assert.That(output, Does.Contain("1..19"));
    }

    [Test]
    public void DebianPackage_X64_Builds_PassesLintianWithoutErrors_HoldsEverythingAWardNeeds()
    {
        string deb = BuildDeb();
        var (_, contents) = Run("dpkg-deb", "--contents", deb);
        foreach (string path in new[] { "./lib/systemd/system/edge-agent.service", "./usr/lib/edge-agent/edge-agent", "./usr/lib/edge-agent/edge-agent-launch",
                     "./usr/bin/edge-agent -> /usr/lib/edge-agent/edge-agent", "./usr/lib/edge-agent/models/manifest.json",
                     "./usr/lib/edge-agent/models/yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx", "./usr/lib/edge-agent/models/osnet_x0_25_msmt17.onnx",
                     "./usr/share/doc/edge-agent/README.md", "./usr/share/doc/edge-agent/install.md", "./usr/share/doc/edge-agent/examples/ward.env",
                     "./usr/lib/edge-agent/libOpenCvSharpExtern.so", "./usr/lib/edge-agent/libonnxruntime.so" })
            Assert.That(contents, Does.Contain(path));
        Assert.That(contents, Does.Not.Contain("./etc/edge-agent/appsettings.json"), "no active configuration before provisioning");
        var (_, postinst) = Run("dpkg-deb", "--info", deb, "postinst");
        Assert.That(postinst, Does.Contain("adduser --system --group").And.Contain("edge-agent provision --answers"));
        Assert.That(postinst, Does.Not.Contain("systemctl enable"), "the service waits for provisioning");
        var (_, control) = Run("dpkg-deb", "--field", deb, "Version");
        Assert.That(control.Trim(), Does.StartWith(File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "VERSION")).Trim() + "+"), "the version from VERSION");
    }

    private static string? _deb;

    // One build for the tests of this class (about two minutes): the version from VERSION plus test metadata.
    internal static string BuildDeb()
    {
        Require("lintian");
        if (_deb is not null) return _deb;
        string outDir = TestAssets.NewTempDirectory();
        string version = File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "VERSION")).Trim() + "+test";
        var (code, output) = Run("bash", "scripts/package.sh", "--arch", "x64", "--version", version, "--out", outDir);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("lintian: 0 error(s)"));
        return _deb = Path.Combine(outDir, $"edge-agent_{version}_amd64.deb");
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Systemd;

/// <summary>
/// The appliance as facilities IT meet it: the .deb built and installed on this machine, the ward provisioned from an
/// answers file against the RTSP test server and a TLS mosquitto, the agent started exactly as its unit would start it
/// (<see cref="UnitSandbox"/>: its user, directories, environment, ExecCondition and the ProtectSystem/PrivateTmp/
/// ProtectHome effect; this machine has no systemd), zone events at a subscriber, a SIGKILL and a restart under the
/// same settings with nothing lost, then the package purged.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class ApplianceAcceptanceTests
{
    [Test]
    public async Task Deb_InstalledProvisionedAndRunAsTheUnit_DeliversZoneEvents_SurvivesSigkill_ThenPurged()
    {
        if (System.Environment.UserName != "root") Assert.Ignore("installs a package: run as root (CI does)");
        string deb = PackagingTests.BuildDeb();
        var unit = new UnitSandbox(Path.Combine(TestAssets.RepoRoot, "systemd", "edge-agent.service"));
        Assert.That(Sh($"dpkg -i {deb}").Code, Is.Zero, "installs");
        try
        {
            Assert.That(Sh("edge-agent --version").Output, Does.Contain(File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "VERSION")).Trim()));
            Assert.That(Sh("id edge-agent").Output, Does.Contain("video").And.Contain("dialout"));
            var (notYet, why) = Sh(unit.ExecCondition!);
            Assert.That(notYet, Is.Not.Zero, "the unit does not start before provisioning");
            Assert.That(why, Does.Contain("not provisioned yet"));

            var pki = new TestCertificates();
            int plainPort = RtspServer.FreePort();
            using var broker = Mosquitto.MutualTls(pki, plainPort);
            await using var verifier = new Verifier(plainPort);
            await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the subscriber connects");
            using var camera = new RtspServer(TestAssets.H264Stream).Start();
            foreach (var (name, file) in new[] { ("ca.pem", pki.Crt("ca")), ("device.crt", pki.Crt("client")), ("device.key", pki.Key("client")) })
                Assert.That(Sh($"install -o root -g edge-agent -m 0640 {file} /etc/edge-agent/{name}").Code, Is.Zero);
            string answers = Path.Combine(TestAssets.NewTempDirectory(), "ward.env");
            File.WriteAllText(answers, $"""
                SITE=st-marys
                WARD=ward-7
                DEVICE_ID=jetson-7
                CAMERAS="plaza={camera.Url}"
                BROKER_HOST=localhost
                BROKER_PORT={broker.Port}
                BROKER_CA=/etc/edge-agent/ca.pem
                DEVICE_CERT=/etc/edge-agent/device.crt
                DEVICE_KEY=/etc/edge-agent/device.key

                """);
            var (provisioned, said) = Sh($"edge-agent provision --answers {answers} --probe");
            Assert.That(provisioned, Is.Zero, said);
            Assert.That(said, Does.Contain("provisioned: /etc/edge-agent/appsettings.json").And.Contain("systemd is not running here"));
            AddZonesAsTheEditorWould("/etc/edge-agent/appsettings.json");
            Assert.That(Sh("edge-agent check --config /etc/edge-agent/appsettings.json").Code, Is.Zero);

            long before;
            using (Process agent = unit.Start())
            {
                var output = Capture(agent);
                await verifier.WaitUntilAsync(v => Zone(v).Count >= 5, TimeSpan.FromSeconds(90), "zone events arrive over mutual TLS", () => output.ToString());
                before = verifier.EventSeqs().Max();
                Process.Start("kill", ["-KILL", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                agent.WaitForExit(10_000);
                Assert.That(output.ToString(), Does.Not.Contain("   at "), "no stack trace");
            }
            Assert.That(Sh("ls /var/lib/edge-agent/outbox").Output, Does.Contain("outbox.db"), "state under StateDirectory");
            using (Process agent = unit.Start())
            {
                var output = Capture(agent);
                await verifier.WaitUntilAsync(v => v.EventSeqs().Max() > before + 5, TimeSpan.FromSeconds(90), "it comes back under the same settings", () => output.ToString());
                Process.Start("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                Assert.That(agent.WaitForExit(30_000), Is.True);
                Assert.That(agent.ExitCode, Is.Zero, output.ToString());
            }
            long last = verifier.EventSeqs().Max();
            await verifier.WaitUntilAsync(v => v.EventSeqs().Distinct().Count() >= last, TimeSpan.FromSeconds(30), "every accepted event arrives");
            Assert.That(verifier.EventSeqs().Distinct().Order(), Is.EqualTo(Enumerable.Range(1, (int)last).Select(i => (long)i)), "nothing lost across the SIGKILL");
            string version = File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "VERSION")).Trim();
            Assert.That(verifier.Messages.Where(m => m.Topic.EndsWith("/events/device.status", StringComparison.Ordinal))
                .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("payload").GetProperty("agentVersion").GetString()),
                Has.All.StartsWith(version + "+test"), "agentVersion is the package's version");
        }
        finally
        {
            Sh("dpkg --purge edge-agent");
            Sh("rm -rf /etc/edge-agent");
        }
        Assert.That(Directory.Exists("/usr/lib/edge-agent"), Is.False, "purged");
        Assert.That(Directory.Exists("/var/lib/edge-agent"), Is.False, "state purged");
    }

    private static List<JsonElement> Zone(Verifier v) => v.Messages.Where(m => m.Topic.Contains("/events/zone.", StringComparison.Ordinal))
        .Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone()).ToList();

    // The installer marks floor points and draws a zone in the editor: the same calibration and zone as the service tests.
    private static void AddZonesAsTheEditorWould(string path)
    {
        string dir = TestAssets.NewTempDirectory();
        JsonNode sample = JsonNode.Parse(File.ReadAllText(EventServiceTests.Config(dir)))!;
        JsonNode config = JsonNode.Parse(File.ReadAllText(path))!;
        config["Capture"]!["Cameras"]![0]!["Calibration"] = sample["Capture"]!["Cameras"]![0]!["Calibration"]!.DeepClone();
        config["Zones"] = sample["Zones"]!.DeepClone();
        File.WriteAllText(path, config.ToJsonString());
    }

    private static System.Text.StringBuilder Capture(Process p)
    {
        var sb = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return sb;
    }

    private static (int Code, string Output) Sh(string command) => ToolRun.Run("sh", TestAssets.RepoRoot, "-c", command);
}

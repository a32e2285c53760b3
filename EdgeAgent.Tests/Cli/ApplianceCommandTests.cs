using System.Text.Json;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Capture;
using EdgeAgent.Tests.Cli;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// The commands facilities IT meet first, against the real agent process: <c>check</c> refusing what <c>run</c> would
/// (models, cameras with <c>--probe</c>), <c>provision</c> installing only a configuration that passes, and
/// <c>fleet publish|status</c> reaching a TLS broker as a device does — or saying in one line why not.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class ApplianceCommandTests
{
    [TestCase("\"Model\": \"yolox-nano-persn\"", "yolox-nano-persn")]
    [TestCase("\"ModelsDirectory\": \"/nonexistent/models\"", "/nonexistent/models/manifest.json")]
    public void CheckAndRun_ModelMissingOrMisspelt_Exit4NamingItNoStackTrace(string detection, string named)
    {
        string dir = TestAssets.NewTempDirectory();
        string config = EventServiceTests.Config(dir);
        string json = File.ReadAllText(config);
        json = detection.StartsWith("\"Model\"", StringComparison.Ordinal)
            ? json.Replace("\"Detection\": {", $"\"Detection\": {{ {detection},", StringComparison.Ordinal)
            : System.Text.RegularExpressions.Regex.Replace(json, "\"ModelsDirectory\": \"[^\"]*\"", detection);
        File.WriteAllText(config, json);
        foreach (string verb in new[] { "check", "run" })
        {
            var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), verb, "--config", config);
            Assert.That(code, Is.EqualTo(ExitCodes.ModelError), $"{verb}: {stderr}");
            Assert.That(stderr, Does.Contain(named), verb);
            Assert.That(stderr, Does.Not.Contain("   at ").And.Not.Contain("Exception"), $"{verb}: one line, no stack trace");
        }
        Assert.That(File.Exists(Path.Combine(dir, "events.jsonl")), Is.False, "no camera opened");
    }

    [Test]
    public void Check_ModelWhoseInputIsNotTheManifests_Exit4NamingBoth()
    {
        string dir = TestAssets.NewTempDirectory();
        string models = Path.Combine(dir, "models");
        Directory.CreateDirectory(models);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestAssets.ModelsDirectory, "manifest.json")))!;
        foreach (var m in manifest["models"]!.AsArray())
        {
            string file = m!["file"]!.GetValue<string>();
            if (File.Exists(Path.Combine(TestAssets.ModelsDirectory, file))) File.CreateSymbolicLink(Path.Combine(models, file), Path.Combine(TestAssets.ModelsDirectory, file));
            if (m["name"]!.GetValue<string>() == "yolox-nano-person-humanart") m["input"]!["width"] = 320;
        }
        File.WriteAllText(Path.Combine(models, "manifest.json"), manifest.ToJsonString());
        string config = EventServiceTests.Config(dir);
        File.WriteAllText(config, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(config), "\"ModelsDirectory\": \"[^\"]*\"", $"\"ModelsDirectory\": \"{models}\""));
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", config);
        Assert.That(code, Is.EqualTo(ExitCodes.ModelError), stderr);
        Assert.That(stderr, Does.Contain("takes input [1, 3, 416, 416] but the manifest says 320x416"));
    }

    [Test]
    public void CheckProbe_CameraThatDeliversNothing_Exit5NamingTheCameraWithoutItsPassword()
    {
        string dir = TestAssets.NewTempDirectory();
        int port = RtspServer.FreePort();
        string config = EventServiceTests.Config(dir);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"Realtime\": true", "\"Realtime\": true }, { \"Id\": \"door-cam\", \"Source\": \"rtsp://admin:s3cret@127.0.0.1:" + port + "/stream\"", StringComparison.Ordinal));
        var (plain, _, plainErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", config);
        Assert.That(plain, Is.Zero, "without --probe the cameras are not opened: " + plainErr);
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(90), "check", "--config", config, "--probe");
        Assert.That(code, Is.EqualTo(ExitCodes.CaptureError), stderr);
        Assert.That(stderr, Does.Contain("camera 'door-cam'").And.Contain("***@127.0.0.1").And.Not.Contain("s3cret"));
    }

    [Test]
    public void Provision_AnswersFile_WritesACheckedConfiguration_AndNothingWhenItFails()
    {
        string dir = TestAssets.NewTempDirectory();
        string answers = Path.Combine(dir, "ward.env");
        string output = Path.Combine(dir, "etc", "appsettings.json");
        File.WriteAllText(answers, $"""
            # ward 7
            SITE=st-marys
            WARD=ward-7
            DEVICE_ID=jetson-7
            CAMERAS="plaza={TestAssets.Video}"
            BROKER_HOST=mqtt.hospital.example
            BROKER_CA={Path.Combine(dir, "ca.pem")}
            MODELS_DIR={TestAssets.ModelsDirectory}
            """);
        File.WriteAllText(Path.Combine(dir, "ca.pem"), "");
        var (code, stdout, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(90), "provision", "--answers", answers, "--out", output, "--probe", "--no-start");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("each delivering").And.Contain("models yolox-nano-person-humanart"));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(output));
        JsonElement d = doc.RootElement.GetProperty("Sync").GetProperty("Destinations")[0];
        Assert.That(d.GetProperty("UseTls").GetBoolean(), Is.True, "a CA file turns TLS on");
        Assert.That(d.GetProperty("Port").GetInt32(), Is.EqualTo(8883));
        Assert.That(doc.RootElement.GetProperty("Ward").GetProperty("DeviceId").GetString(), Is.EqualTo("jetson-7"));
        var (again, _, againErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "check", "--config", output);
        Assert.That(again, Is.Zero, "what provision wrote passes check: " + againErr);

        string before = File.ReadAllText(output);
        File.AppendAllText(answers, "\nCAMERAS=second-time\nBROKER_PORTT=1\n");
        var (bad, _, badErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "provision", "--answers", answers, "--out", output, "--no-start");
        Assert.That(bad, Is.EqualTo(ExitCodes.InvalidConfiguration));
        Assert.That(badErr, Does.Contain("ward.env:9: CAMERAS given twice").And.Contain("ward.env:10: unknown key BROKER_PORTT"));
        File.WriteAllText(answers, File.ReadAllText(answers).Replace("\nCAMERAS=second-time\nBROKER_PORTT=1\n", "", StringComparison.Ordinal)
            .Replace($"MODELS_DIR={TestAssets.ModelsDirectory}", "MODELS_DIR=/nonexistent", StringComparison.Ordinal));
        var (model, _, modelErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "provision", "--answers", answers, "--out", output, "--no-start");
        Assert.That(model, Is.EqualTo(ExitCodes.ModelError), modelErr);
        Assert.That(File.ReadAllText(output), Is.EqualTo(before), "a failed provisioning installs nothing");
        Assert.That(File.Exists(output + ".new"), Is.False);
    }

    [Test]
    public async Task FleetStatusAndPublish_OverMutualTls_WorkAndAnUnreachableOrRefusingBrokerIsOneLine()
    {
        var pki = new TestCertificates();
        int plainPort = RtspServer.FreePort();
        using var broker = Mosquitto.MutualTls(pki, plainPort);
        await using var verifier = new Verifier(plainPort);
        await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects on the plain listener");
        string signed = Path.Combine(TestAssets.NewTempDirectory(), "signed.json");
        File.WriteAllText(signed, """{"manifest":{"version":7},"signature":"x"}""");
        string[] tls = ["--host", "127.0.0.1", "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ca", pki.Crt("ca"),
                        "--tls-host", "localhost", "--cert", pki.Crt("client"), "--key", pki.Key("client")];
        var (code, stdout, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), ["fleet", "publish", .. tls, "--site", "st-marys", "--ward", "ward-7", "--signed", signed]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("version 7 published to ward-7"));
        await verifier.WaitUntilAsync(v => v.Messages.Any(m => m.Topic == "edgetracking/st-marys/ward-7/fleet/desired" && m.Payload.Contains("\"version\":7", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the desired state arrives, retained");
        var (status, statusOut, statusErr) = AgentProcess.Run(TimeSpan.FromSeconds(60), ["fleet", "status", .. tls, "--wait", "1"]);
        Assert.That(status, Is.Zero, statusErr);
        Assert.That(statusOut, Does.Contain("site/ward"));

        string[] rogue = ["--host", "127.0.0.1", "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ca", pki.Crt("ca"),
                          "--tls-host", "localhost", "--cert", pki.Crt("rogue-client"), "--key", pki.Key("rogue-client")];
        foreach (string[] args in new[] { rogue, ["--host", "127.0.0.1", "--port", RtspServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)],
                                           ["--host", "127.0.0.1", "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)] })
        {
            var (failed, _, why) = AgentProcess.Run(TimeSpan.FromSeconds(60), ["fleet", "status", .. args, "--wait", "1"]);
            Assert.That(failed, Is.EqualTo(ExitCodes.Failure), why);
            Assert.That(why.Trim().Split('\n'), Has.Length.EqualTo(1), "one line: " + why);
            Assert.That(why, Does.StartWith("edge-agent: broker 127.0.0.1:"));
        }
    }
}

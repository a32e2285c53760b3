using System.Text.Json;

namespace EdgeAgent.Tests.Cli;

/// <summary>The real executable: exit codes and messages a user sees.</summary>
[Category("Integration")]
[NonParallelizable]
public class CommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Test]
    public void Replay_PartOfTheVideo_WritesTracksSummaryAndAccuracy()
    {
        string dir = TestAssets.NewTempDirectory();
        string mot = Path.Combine(dir, "tracks.txt"), summary = Path.Combine(dir, "summary.json");
        var (code, stdout, stderr) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--gt", TestAssets.GroundTruth,
            "--frames", "150", "--mot-out", mot, "--summary-out", summary, "--min-mota", "0.6", "--quiet");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("MOTA").And.Contain("IDF1").And.Contain("frames/s"));
        string[] rows = File.ReadAllLines(mot);
        Assert.That(rows, Is.Not.Empty);
        Assert.That(rows, Has.All.Match(@"^\d+,\d+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,-?[\d.]+,-?[\d.]+,-1$"), "MOTChallenge rows, floor position in the world columns");
        Assert.That(rows.Select(r => int.Parse(r.Split(',')[0])).Max(), Is.EqualTo(150));
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        Assert.That(json.RootElement.GetProperty("frames").GetInt32(), Is.EqualTo(150));
        // Re-identification ran (the default), yet no embedding reached any file the agent wrote, nor its output.
        foreach (string file in Directory.GetFiles(dir))
            foreach (string line in File.ReadLines(file))
                Assert.That(line.Split(',', '[', ' ').Count(f => float.TryParse(f.Trim(), System.Globalization.CultureInfo.InvariantCulture, out _)), Is.LessThan(20),
                    $"{Path.GetFileName(file)} holds a long vector of numbers: {line[..Math.Min(80, line.Length)]}");
        Assert.That(stdout.Split('\n'), Has.All.Matches<string>(l => l.Split(' ', ',').Count(f => float.TryParse(f, System.Globalization.CultureInfo.InvariantCulture, out _)) < 20));
        Assert.That(File.Exists(Path.Combine(dir, "tracks.ward.txt")), Is.True, "the ward view is written too");
        Assert.That(json.RootElement.GetProperty("accuracy").GetProperty("mota").GetDouble(), Is.GreaterThan(0.6));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public void Help_AnyForm_PrintsTheCommandsAndExitsZero(params string[] args)
    {
        var (code, stdout, stderr) = AgentProcess.Run(Timeout, args);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("edge-agent replay --input VIDEO").And.Contain("exit codes"));
    }

    [TestCase("replay", "--input", "--realtime")]
    [TestCase("check", "--config", "--probe")]
    [TestCase("provision", "--answers", "--no-start")]
    [TestCase("outbox", "--from", "verify | salvage")]
    [TestCase("fleet", "--password-file", "keygen | sign | publish | status")]
    [TestCase("run", "--config", "--config")]
    public void CommandHelp_ListsItsOptionsOnStandardOutputExitZero(string command, string option, string other)
    {
        foreach (string help in new[] { "--help", "-h" })
        {
            var (code, stdout, stderr) = AgentProcess.Run(Timeout, command, help);
            Assert.That(code, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain(option).And.Contain(other));
            Assert.That(stderr, Is.Empty);
        }
    }

    [Test]
    public void Version_PrintsTheAgentVersion_UnknownCommand_UsageOnStandardErrorExitTwo()
    {
        var (code, stdout, _) = AgentProcess.Run(Timeout, "--version");
        Assert.That(code, Is.Zero);
        Assert.That(stdout.Trim(), Is.EqualTo($"edge-agent {File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "VERSION")).Trim()}"), "the version from VERSION");
        var (bad, badOut, badErr) = AgentProcess.Run(Timeout, "bogus");
        Assert.That(bad, Is.EqualTo(2));
        Assert.That(badOut, Is.Empty);
        Assert.That(badErr, Does.StartWith("edge-agent: unknown command 'bogus'").And.Contain("exit codes"));
        var (option, optionOut, optionErr) = AgentProcess.Run(Timeout, "check", "--config", "x.json", "--bogus", "1");
        Assert.That(option, Is.EqualTo(2));
        Assert.That(optionOut, Is.Empty);
        Assert.That(optionErr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(optionErr, Does.StartWith("edge-agent: ").And.Contain("--bogus").And.Contain("'edge-agent check --help' shows its usage"));
        var (word, _, wordErr) = AgentProcess.Run(Timeout, "outbox", "purge");
        Assert.That(word, Is.EqualTo(2));
        Assert.That(wordErr, Does.Contain("purge"));
        var (missing, _, missingErr) = AgentProcess.Run(Timeout, "check", "--config");
        Assert.That(missing, Is.EqualTo(2), "an option without its value: " + missingErr);
    }

    [Test]
    public void Replay_MissingModelFile_ExitsWithFileAndExpectedHash()
    {
        string config = Path.Combine(TestAssets.NewTempDirectory(), "cfg.json");
        string emptyModels = TestAssets.NewTempDirectory();
        File.Copy(Path.Combine(TestAssets.ModelsDirectory, "manifest.json"), Path.Combine(emptyModels, "manifest.json"));
        File.WriteAllText(config, $$"""{ "Detection": { "ModelsDirectory": "{{emptyModels}}" } }""");
        var (code, _, stderr) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--config", config, "--quiet");
        Assert.That(code, Is.EqualTo(4));
        Assert.That(stderr, Does.Contain("yolox_nano_8xb8-300e_humanart-40f6f0d0.onnx").And.Contain("1450966de24902b18aada1a78913d7efd8fc8dcd51bd4d0d5591476bd4a38821"));
    }

    [Test]
    public void Replay_CorruptVideoFile_ExitsWithClearError()
    {
        string path = Path.Combine(TestAssets.NewTempDirectory(), "ward.mp4");
        File.WriteAllText(path, "this is not a video");
        var (code, _, stderr) = AgentProcess.Run(Timeout, "replay", "--input", path, "--quiet");
        Assert.That(code, Is.EqualTo(5));
        Assert.That(stderr, Does.Contain("ward.mp4").And.Contain("not a readable video"));
    }

    [Test]
    public void Run_InvalidConfig_StopsBeforeAnyCameraOpensNamingTheKey()
    {
        string config = Path.Combine(TestAssets.NewTempDirectory(), "cfg.json");
        File.WriteAllText(config, $$"""
            { "Capture": { "Cameras": [ { "Id": "bay1", "Source": "{{TestAssets.Video}}" } ] },
              "Tracking": { "NewTrackThreshold": 0.2 } }
            """);
        var (code, stdout, stderr) = AgentProcess.Run(Timeout, "run", "--config", config);
        Assert.That(code, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain("Tracking:NewTrackThreshold"));
        Assert.That(stdout + stderr, Does.Not.Contain("opened"), "no camera was opened");
    }

    [Test]
    public void Run_UnknownOption_IsAUsageError()
    {
        var (code, _, stderr) = AgentProcess.Run(Timeout, "replay", "--input", TestAssets.Video, "--fast");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--fast"));
    }

    [Test]
    public void Run_Service_TracksTheConfiguredCameraUntilStopped()
    {
        string dir = TestAssets.NewTempDirectory();
        string config = Path.Combine(dir, "cfg.json");
        File.WriteAllText(config, $$"""
            { "Capture": { "Cameras": [ { "Id": "bay1", "Source": "{{TestAssets.Video}}", "Loop": true, "Realtime": true } ] },
              "Detection": { "ModelsDirectory": "{{TestAssets.ModelsDirectory}}", "ExecutionProviders": [ "CPU" ] },
              "Output": { "Directory": "{{dir}}", "WriteTracks": true, "StatusInterval": "00:00:02" } }
            """);
        using var agent = new AgentProcess("run", "--config", config);
        string tracks = Path.Combine(dir, "bay1.mot.txt");
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline && !agent.Stdout.Contains("processed 1")) Thread.Sleep(200);
        Assert.That(agent.Stdout, Does.Contain("Camera bay1: connected True"), agent.Stdout + agent.Stderr);
        Thread.Sleep(2500);
        System.Diagnostics.Process.Start("kill", ["-TERM", agent.Pid.ToString()])!.WaitForExit();
        int code = agent.WaitForExit(TimeSpan.FromSeconds(20));
        Assert.That(code, Is.Zero, agent.Stderr);
        Assert.That(File.ReadAllLines(tracks), Is.Not.Empty, "tracks written by the service");
    }
}

[Category("Integration")]
[NonParallelizable]
public class MultiCameraReplayCommandTests
{
    [Test]
    public void Replay_ConfigWithTwoCameras_WritesPerCameraAndPerWardTracks()
    {
        var gt = EdgeAgent.Evaluation.MotFile.Read(TestAssets.GroundTruth, true);
        string dir = TestAssets.NewTempDirectory();
        string Points(double[][] pts) => "[" + string.Join(",", pts.Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{p[0]:0.#####},{p[1]:0.#####}]"))) + "]";
        string Camera(string id, double cropX)
        {
            var cal = EdgeAgent.Tests.Ward.TwoCameraHandoffTests.CalibrationFromGroundTruth(gt, cropX);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $$"""{ "Id": "{{id}}", "Source": "{{TestAssets.Video}}", "Crop": { "X": {{cropX / 768}}, "Width": 0.625 }, """
                + $$""" "Calibration": { "ImagePoints": {{Points([.. cal.ImagePoints])}}, "FloorPoints": {{Points([.. cal.FloorPoints])}} } }""");
        }
        string config = Path.Combine(dir, "two-cameras.json");
        File.WriteAllText(config, $$"""
            { "Capture": { "Cameras": [ {{Camera("left", 0)}}, {{Camera("right", 288)}} ] },
              "Detection": { "ModelsDirectory": "{{TestAssets.ModelsDirectory}}" } }
            """);
        var (code, stdout, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(120), "replay", "--config", config, "--frames", "120",
            "--mot-out", Path.Combine(dir, "tracks.txt"), "--summary-out", Path.Combine(dir, "summary.json"), "--quiet");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("camera left: floor calibration reprojection error").And.Contain("camera right: floor calibration reprojection error"));
        foreach (string name in new[] { "tracks.left.txt", "tracks.right.txt", "tracks.ward.left.txt", "tracks.ward.right.txt" })
            Assert.That(File.ReadAllLines(Path.Combine(dir, name)), Is.Not.Empty, name);
        // Within the ward files, ids are ward identities: people seen by both cameras carry the same one.
        var leftIds = File.ReadLines(Path.Combine(dir, "tracks.ward.left.txt")).Select(l => l.Split(',')[1]).ToHashSet();
        var rightIds = File.ReadLines(Path.Combine(dir, "tracks.ward.right.txt")).Select(l => l.Split(',')[1]).ToHashSet();
        Assert.That(leftIds.Intersect(rightIds), Is.Not.Empty, "someone in the shared part has one identity in both cameras");
    }
}

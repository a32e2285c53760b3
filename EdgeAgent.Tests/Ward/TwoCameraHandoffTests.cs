using System.Globalization;
using EdgeAgent.Capture;
using EdgeAgent.Configuration;
using EdgeAgent.Evaluation;
using EdgeAgent.Pipeline;
using EdgeAgent.Ward;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Ward;

/// <summary>
/// Two overlapping "cameras" cut from the PETS09-S2L1 view — the left 480 px and the right 480 px — each with its
/// own homography fitted from the ground truth's floor coordinates; people walking from one to the other must keep
/// one ward identity.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class TwoCameraHandoffTests
{
    private const double Width = 768, CropWidth = 480;

    public static CalibrationOptions CalibrationFromGroundTruth(IReadOnlyList<MotRow> gt, double cropX) =>
        WardReplay.CalibrationFromGroundTruth(gt, cropX, CropWidth, columns: 4, rows: 3);

    [Test]
    public async Task Replay_TwoOverlappingCameras_MostPeoplePassingBetweenThemKeepOneWardIdentity()
    {
        var gt = MotFile.Read(TestAssets.GroundTruth, true);
        double rightX = Width - CropWidth;
        var settings = TestAssets.SettingsFor(TestAssets.Video, "left");
        settings.Capture.Cameras[0].Crop = new CropOptions { X = 0, Width = CropWidth / Width };
        settings.Capture.Cameras[0].Calibration = CalibrationFromGroundTruth(gt, 0);
        settings.Capture.Cameras.Add(new CameraOptions
        {
            Id = "right", Source = TestAssets.Video,
            Crop = new CropOptions { X = rightX / Width, Width = CropWidth / Width },
            Calibration = CalibrationFromGroundTruth(gt, rightX),
        });
        Assert.That(SettingsValidator.Validate(settings, requireCameras: true), Is.Empty);

        WardReplay.Result replay = await WardReplay.RunAsync(settings);
        foreach (var (cam, error) in replay.Stage.Ward.ReprojectionErrors) TestContext.Out.WriteLine($"{cam}: reprojection error {error:0.000} m");
        var rows = new Dictionary<string, List<MotRow>> { ["left"] = [], ["right"] = [] };
        var pseudonyms = new HashSet<string>();
        foreach (WardSnapshot ws in replay.Snapshots)
            foreach (WardPerson p in ws.People)
            {
                rows[ws.CameraId].Add(new MotRow((int)ws.Sequence, p.WardIndex, p.Box, 1f, true));
                pseudonyms.Add(p.Pseudonym);
            }

        var result = HandoffEvaluator.Evaluate(gt,
            new HandoffEvaluator.Camera("left", 0, CropWidth, rows["left"]),
            new HandoffEvaluator.Camera("right", rightX, CropWidth, rows["right"]));
        TestContext.Out.WriteLine(result.ToString());
        foreach (string f in result.Failures) TestContext.Out.WriteLine("changed identity: " + f);
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pseudonyms.Count} pseudonyms"));
        Assert.That(result.Measured, Is.GreaterThanOrEqualTo(10), "enough passages to measure");
        // Issue 3 asks for 90 %: 24 of 26 (92.3 %). The two left are people who stand together in the shared part
        // for 15 s (ground truth 15 and 16) and swap inside one camera.
        Assert.That(result.KeptRate, Is.GreaterThanOrEqualTo(0.9));
        Assert.That(pseudonyms, Has.All.Match("^[0-9a-f]{16}$"), "random pseudonyms, nothing derived from the person");
    }
}

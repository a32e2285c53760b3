using EdgeAgent.Tracking;
using EdgeAgent.Capture;
using EdgeAgent.Health;
using EdgeAgent.Configuration;
using EdgeAgent.Ward;

namespace EdgeAgent.Tests.Ward;

public class FloorHomographyTests
{
    // A projective camera: floor (X, Y) metres -> image (u, v) normalised.
    private static (double U, double V) Project(double x, double y)
    {
        double w = 0.02 * y + 1;
        return ((0.08 * x + 0.3) / w, (0.05 * y + 0.2) / w);
    }

    [Test]
    public void Fit_PointsOfAProjectiveCamera_MapsOtherPointsBack()
    {
        var floor = new List<(double X, double Y)> { (0, 0), (8, 0), (0, 10), (8, 10), (4, 5), (2, 8) };
        var image = floor.Select(p => Project(p.X, p.Y)).ToList();
        var h = FloorHomography.Fit(image, floor, out string? problem);
        Assert.That(problem, Is.Null);
        Assert.That(h!.ReprojectionErrorMetres, Is.LessThan(1e-6));
        var (u, v) = Project(5.5, 3.25);
        var (x, y) = h.Map(u, v);
        Assert.That(x, Is.EqualTo(5.5).Within(1e-6));
        Assert.That(y, Is.EqualTo(3.25).Within(1e-6));
    }

    [Test]
    public void ToImage_FloorPointsInView_AreWhereTheCameraSeesThem()
    {
        var floor = new List<(double X, double Y)> { (0, 0), (8, 0), (0, 10), (8, 10), (4, 5), (2, 8) };
        var h = FloorHomography.Fit(floor.Select(p => Project(p.X, p.Y)).ToList(), floor, out _)!;
        var (u, v) = Project(6.5, 2.5);
        var image = h.ToImage(6.5, 2.5);
        Assert.That(image, Is.Not.Null);
        Assert.That(image!.Value.U, Is.EqualTo(u).Within(1e-6));
        Assert.That(image.Value.V, Is.EqualTo(v).Within(1e-6));
        // Beyond the horizon (w of the projection <= 0: y <= -50 here) there is no image point.
        Assert.That(h.ToImage(4, -80), Is.Null);
    }

    [TestCase(3, "at least 4 point pairs")]
    [TestCase(0, "on one line")]
    public void Fit_UnusablePoints_SaysWhy(int count, string expected)
    {
        var floor = count == 3
            ? new List<(double, double)> { (0, 0), (1, 0), (0, 1) }
            : new List<(double, double)> { (0, 0), (1, 1), (2, 2), (3, 3) };
        var image = floor.Select(p => (p.Item1 / 10, p.Item2 / 10)).ToList();
        Assert.That(FloorHomography.Fit(image, floor, out string? problem), Is.Null);
        Assert.That(problem, Does.Contain(expected));
    }

    [Test]
    public void Validate_DegenerateCalibration_NamesTheCameraKey()
    {
        var settings = TestAssets.SettingsFor("rtsp://127.0.0.1:1/x");
        settings.Capture.Cameras[0].Calibration = new CalibrationOptions
        {
            ImagePoints = [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3], [0.4, 0.4]],
            FloorPoints = [[0, 0], [1, 1], [2, 2], [3, 3]],
        };
        Assert.That(SettingsValidator.Validate(settings, requireCameras: true), Has.Some.StartsWith("Capture:Cameras:0:Calibration:").And.Contains("one line"));
    }
}

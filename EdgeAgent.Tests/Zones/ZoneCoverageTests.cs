using EdgeAgent.Capture;
using EdgeAgent.Evaluation;
using EdgeAgent.Tests.Cli;
using EdgeAgent.Ward;
using EdgeAgent.Zones;

namespace EdgeAgent.Tests.Zones;

/// <summary>Which cameras see a zone, from the real sample camera's calibration (fitted to the ground truth's floor positions).</summary>
public class ZoneCoverageTests
{
    private static CameraOptions Plaza(string id = "plaza", double crop = 1)
    {
        var cal = WardReplay.CalibrationFromGroundTruth(MotFile.Read(TestAssets.GroundTruth, true), 0, 768, columns: 3, rows: 2);
        return new CameraOptions { Id = id, Source = "x.avi", Calibration = cal };
    }

    private static FloorPlan Plan(params ZoneDefinition[] zones) => FloorPlan.Create(new ZoneOptions { Areas = [.. zones] }, [])!;

    [Test]
    public void ZonesInTheSampleCamerasView_AreCoveredByIt_AZoneFarBehindItIsUnwatched()
    {
        FloorPlan plan = Plan(
            new ZoneDefinition { Id = "west", Polygon = [[-22, -18], [-11, -18], [-11, 9], [-22, 9]] },
            new ZoneDefinition { Id = "east", Polygon = [[-4, -18], [9, -18], [9, 9], [-4, 9]] },
            new ZoneDefinition { Id = "car-park", Polygon = [[200, 200], [220, 200], [220, 220], [200, 220]] });
        var coverage = ZoneCoverage.Of(plan, [Plaza()]);
        Assert.That(coverage.CamerasOf["west"], Is.EqualTo(new[] { "plaza" }));
        Assert.That(coverage.CamerasOf["east"], Is.EqualTo(new[] { "plaza" }));
        Assert.That(coverage.CamerasOf["car-park"], Is.Empty);
        Assert.That(coverage.Unwatched, Is.EqualTo(new[] { "car-park" }));
        Assert.That(coverage.Blind(c => c != "plaza"), Is.EquivalentTo(new[] { "west", "east" }), "the one camera down: both zones blind");
        Assert.That(coverage.Blind(_ => true), Is.Empty);
        Assert.That(coverage.Blind(_ => false), Does.Not.Contain("car-park"), "nothing can be said of a zone no camera covers");
    }

    [Test]
    public void CamerasNamedInTheConfiguration_OverrideTheFootprint()
    {
        FloorPlan plan = Plan(new ZoneDefinition { Id = "west", Polygon = [[-22, -18], [-11, -18], [-11, 9], [-22, 9]], Cameras = ["door-cam"] });
        var coverage = ZoneCoverage.Of(plan, [Plaza(), new CameraOptions { Id = "door-cam", Source = "y.avi" }]);
        Assert.That(coverage.CamerasOf["west"], Is.EqualTo(new[] { "door-cam" }));
        Assert.That(coverage.Blind(c => c == "plaza"), Is.EquivalentTo(new[] { "west" }));
    }

    [Test]
    public void VisibleFraction_HalfAZoneInView_IsAboutHalf()
    {
        // The view's footprint is the image mapped to the floor; a zone straddling its left edge is partly seen.
        var cal = Plaza().Calibration!;
        FloorHomography view = WardStage.Fit(cal, out _)!;
        var (lx, ly) = view.Map(0, 0.8);   // a point on the left edge of the image, low in the frame
        var (rx, ry) = view.Map(0.1, 0.8);
        double w = Math.Abs(rx - lx);
        var zone = FloorPolygon.Create([[lx - w, ly - 1], [lx + w, ly - 1], [lx + w, ly + 1], [lx - w, ly + 1]], out _)!;
        Assert.That(ZoneCoverage.VisibleFraction(zone, view), Is.InRange(0.3, 0.7));
    }
}

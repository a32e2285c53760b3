using EdgeAgent.Ward;

using EdgeAgent.Health;
using EdgeAgent.Capture;
using EdgeAgent.Tracking;

namespace EdgeAgent.Web;

public sealed record CalibrationRequest(List<double[]> ImagePoints, List<double[]> FloorPoints);

public sealed record CalibrationResult(bool Ok, string? Problem, double? RmsErrorMetres, IReadOnlyList<double> PointErrorsMetres, IReadOnlyList<double>? Homography = null);

/// <summary>The editor's "fit": the homography the agent would use for these point pairs, and how far each pair is off.</summary>
public static class CalibrationFit
{
    public static CalibrationResult Fit(CalibrationRequest request)
    {
        var options = new CalibrationOptions { ImagePoints = request.ImagePoints ?? [], FloorPoints = request.FloorPoints ?? [] };
        if (WardStage.Fit(options, out string? problem) is not { } h) return new CalibrationResult(false, problem, null, []);
        var errors = options.ImagePoints.Zip(options.FloorPoints, (i, f) =>
        {
            var (x, y) = h.Map(i[0], i[1]);
            return Math.Round(Math.Sqrt(((x - f[0]) * (x - f[0])) + ((y - f[1]) * (y - f[1]))), 3);
        }).ToList();
        return new CalibrationResult(true, null, Math.Round(h.ReprojectionErrorMetres, 3), errors, h.Matrix);
    }
}

using OpenCvSharp;

namespace EdgeAgent.Ward;

/// <summary>
/// The image → floor mapping of one camera: a homography fitted (least squares) to ≥ 4 image points
/// (normalised 0..1 of the camera frame) and their floor positions in metres. People are located by the
/// bottom-centre of their box (the feet).
/// </summary>
public sealed class FloorHomography
{
    private readonly double[] _h;
    private readonly double[] _inverse;

    private FloorHomography(double[] h, double rmsError)
    {
        _h = h;
        _inverse = Invert(h);
        ReprojectionErrorMetres = rmsError;
    }

    /// <summary>The 3×3 matrix, row by row, mapping normalised image points to floor metres (the editor maps clicks with it).</summary>
    public IReadOnlyList<double> Matrix => _h;

    /// <summary>Root-mean-square distance between the given floor points and the fitted mapping of their image points.</summary>
    public double ReprojectionErrorMetres { get; }

    /// <summary>Fits the mapping; returns null with a reason when the points cannot define one.</summary>
    public static FloorHomography? Fit(IReadOnlyList<(double X, double Y)> image, IReadOnlyList<(double X, double Y)> floor, out string? problem)
    {
        problem = null;
        if (image.Count != floor.Count) { problem = $"{image.Count} image points but {floor.Count} floor points"; return null; }
        if (image.Count < 4) { problem = $"needs at least 4 point pairs, got {image.Count}"; return null; }
        if (!SpansTwoDimensions(image)) { problem = "the image points are (nearly) on one line"; return null; }
        if (!SpansTwoDimensions(floor)) { problem = "the floor points are (nearly) on one line"; return null; }
        var src = image.Select(p => new Point2d(p.X, p.Y)).ToArray();
        var dst = floor.Select(p => new Point2d(p.X, p.Y)).ToArray();
        using Mat h = Cv2.FindHomography(InputArray.Create(src), InputArray.Create(dst), HomographyMethods.None);
        if (h.Empty()) { problem = "no homography fits these points"; return null; }
        var m = new double[9];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) m[r * 3 + c] = h.At<double>(r, c);
        double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
        if (Math.Abs(det) < 1e-12 || double.IsNaN(det)) { problem = "the fitted homography is degenerate"; return null; }
        var fitted = new FloorHomography(m, 0);
        double sum = 0;
        for (int i = 0; i < image.Count; i++)
        {
            var (x, y) = fitted.Map(image[i].X, image[i].Y);
            sum += (x - floor[i].X) * (x - floor[i].X) + (y - floor[i].Y) * (y - floor[i].Y);
        }
        return new FloorHomography(m, Math.Sqrt(sum / image.Count));
    }

    /// <summary>Floor position (metres) of a point given normalised 0..1 in the camera frame.</summary>
    public (double X, double Y) Map(double u, double v)
    {
        double w = _h[6] * u + _h[7] * v + _h[8];
        return ((_h[0] * u + _h[1] * v + _h[2]) / w, (_h[3] * u + _h[4] * v + _h[5]) / w);
    }

    /// <summary>
    /// Where a floor point (metres) appears in the camera frame, normalised 0..1 (for drawing zones on the live view).
    /// Null when the point lies behind the camera's horizon.
    /// </summary>
    public (double U, double V)? ToImage(double x, double y)
    {
        double w = _inverse[6] * x + _inverse[7] * y + _inverse[8];
        if (Math.Abs(w) < 1e-12) return null;
        double u = (_inverse[0] * x + _inverse[1] * y + _inverse[2]) / w, v = (_inverse[3] * x + _inverse[4] * y + _inverse[5]) / w;
        // The point must map back in front of the camera: the forward mapping's w has the sign it has for image points.
        double forward = _h[6] * u + _h[7] * v + _h[8];
        return forward * (_h[6] * 0.5 + _h[7] * 0.5 + _h[8]) > 0 ? (u, v) : null;
    }

    // The adjugate over the determinant; the fit already refused degenerate matrices.
    private static double[] Invert(double[] m)
    {
        double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (Math.Abs(det) < 1e-300) det = 1e-300;
        return
        [
            (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
            (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
            (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
        ];
    }

    private static bool SpansTwoDimensions(IReadOnlyList<(double X, double Y)> pts)
    {
        // Largest triangle area relative to the spread: collinear sets have none.
        double spread = 0, best = 0;
        foreach (var a in pts) foreach (var b in pts) spread = Math.Max(spread, (a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
        for (int i = 0; i < pts.Count; i++)
            for (int j = i + 1; j < pts.Count; j++)
                for (int k = j + 1; k < pts.Count; k++)
                    best = Math.Max(best, Math.Abs((pts[j].X - pts[i].X) * (pts[k].Y - pts[i].Y) - (pts[k].X - pts[i].X) * (pts[j].Y - pts[i].Y)));
        return spread > 0 && best / spread > 1e-3;
    }
}

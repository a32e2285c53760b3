using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Roles;

/// <summary>
/// Decides which uniforms a person's torso matches in one frame. Pure apart from OpenCV arithmetic: the torso
/// pixels are read and dropped; nothing but the matched role names comes out.
/// </summary>
public sealed class UniformClassifier : IDisposable
{
    private static readonly int[] Channels = [0, 1];
    private static readonly int[] Bins = [30, 32];
    private static readonly Rangef[] Ranges = [new(0, 180), new(0, 256)];
    private readonly List<(UniformProfile Profile, Mat? Histogram)> _profiles = [];

    public UniformClassifier(IEnumerable<UniformProfile> profiles)
    {
        foreach (UniformProfile p in profiles)
        {
            Mat? hist = null;
            if (p.Examples.Count > 0)
            {
                using var all = new Mat();
                foreach (string path in p.Examples)
                {
                    using Mat img = Cv2.ImRead(path, ImreadModes.Color);
                    if (img.Empty()) throw new InvalidDataException($"uniform example '{path}' of role '{p.Role}' is not a readable image");
                    using Mat h = Histogram(img);
                    if (all.Empty()) h.CopyTo(all); else Cv2.Add(all, h, all);
                }
                hist = new Mat();
                Cv2.Normalize(all, hist, 1, 0, NormTypes.L1);
            }
            _profiles.Add((p, hist));
        }
    }

    public int Count => _profiles.Count;

    /// <summary>The torso band of a person box (tlbr pixels): 30–70 % across, 20–50 % down, clipped to the image.</summary>
    public static Rect Torso(BoundingBox box, int width, int height)
    {
        float w = box.X2 - box.X1, h = box.Y2 - box.Y1;
        int x1 = (int)Math.Clamp(box.X1 + (0.3f * w), 0, width - 1), x2 = (int)Math.Clamp(box.X1 + (0.7f * w), 0, width);
        int y1 = (int)Math.Clamp(box.Y1 + (0.2f * h), 0, height - 1), y2 = (int)Math.Clamp(box.Y1 + (0.5f * h), 0, height);
        return new Rect(x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1));
    }

    /// <summary>Adds to <paramref name="matched"/> the index of every profile the person's torso matches in this frame.</summary>
    public void Match(Mat image, BoundingBox box, List<int> matched)
    {
        Rect torso = Torso(box, image.Width, image.Height);
        if (torso.Width < 2 || torso.Height < 2) return;
        using var crop = new Mat(image, torso);
        using var hsv = new Mat();
        Cv2.CvtColor(crop, hsv, ColorConversionCodes.BGR2HSV);
        for (int i = 0; i < _profiles.Count; i++)
        {
            var (p, hist) = _profiles[i];
            if (hist is not null)
            {
                using Mat h = HistogramOfHsv(hsv);
                if (Cv2.CompareHist(h, hist, HistCompMethods.Correl) >= p.MinSimilarity) matched.Add(i);
            }
            else if (FractionInRange(hsv, p) >= p.MinFraction)
            {
                matched.Add(i);
            }
        }
    }

    public string RoleOf(int profile) => _profiles[profile].Profile.Role;

    private static double FractionInRange(Mat hsv, UniformProfile p)
    {
        int lo = p.Hue![0], hi = p.Hue[1];
        using var mask = new Mat();
        if (lo <= hi)
        {
            Cv2.InRange(hsv, new Scalar(lo, p.MinSaturation, p.MinValue), new Scalar(hi, 255, p.MaxValue), mask);
        }
        else
        {
            using var upper = new Mat();
            Cv2.InRange(hsv, new Scalar(lo, p.MinSaturation, p.MinValue), new Scalar(180, 255, p.MaxValue), mask);
            Cv2.InRange(hsv, new Scalar(0, p.MinSaturation, p.MinValue), new Scalar(hi, 255, p.MaxValue), upper);
            Cv2.BitwiseOr(mask, upper, mask);
        }
        return (double)Cv2.CountNonZero(mask) / (hsv.Width * hsv.Height);
    }

    private static Mat Histogram(Mat bgr)
    {
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV);
        return HistogramOfHsv(hsv);
    }

    private static Mat HistogramOfHsv(Mat hsv)
    {
        var hist = new Mat();
        Cv2.CalcHist([hsv], Channels, null, hist, 2, Bins, Ranges);
        Cv2.Normalize(hist, hist, 1, 0, NormTypes.L1);
        return hist;
    }

    public void Dispose()
    {
        foreach (var (_, hist) in _profiles) hist?.Dispose();
    }
}

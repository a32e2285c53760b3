using OpenCvSharp;

namespace EdgeAgent.Frames;

/// <summary>
/// What moves in a camera's view, whether the detector saw a person there or not: OpenCV's MOG2 background model, fed
/// every frame at a small size (<see cref="Width"/> pixels across), its foreground opened (specks removed) and dilated,
/// returned as regions in frame pixels — together with every place a person box was seen in the last
/// <see cref="FrameOptions.PersonMemory"/> (someone standing still, whom the background model has learnt as background
/// and the detector sees only now and then, stays hidden where they stood). Until it has learnt <see cref="FrameOptions.ForegroundLearnFrames"/> frames — at
/// start, and after the view changed as a whole (the camera moved, the lights switched) — it is not
/// <see cref="Ready"/>, and a frame must not leave the camera stage unless wholly mosaicked. Used by one camera loop.
/// </summary>
public sealed class ForegroundModel(FrameOptions options) : IDisposable
{
    public const int Width = 192;
    private const double WholeViewChanged = 0.6;   // more than this share of the view "moving" for a few frames: the view itself changed

    private BackgroundSubtractorMOG2 _model = NewModel(options);
    private readonly Mat _small = new(), _mask = new(), _clean = new(), _recent = new();
    private Mat? _seen;          // per small pixel: when (seconds since the first frame) a person box last covered it
    private double _now;
    private readonly Mat _open = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
    private readonly Mat _grow = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(9, 9));
    private int _learnt, _changedFrames;
    private double _scale = 1;

    /// <summary>The model has learnt enough frames of the current view to say what is background.</summary>
    public bool Ready => _learnt >= options.ForegroundLearnFrames;

    /// <summary>Times the whole view changed and the model started over.</summary>
    public long Restarts { get; private set; }

    // A long history (5 min at 10 frames/s): someone standing still — waiting behind a sign post — stays foreground for
    // minutes instead of melting into the background in seconds. A low variance threshold: dim, noisy wards still show.
    private static BackgroundSubtractorMOG2 NewModel(FrameOptions o) => BackgroundSubtractorMOG2.Create(history: 3000, varThreshold: 10, detectShadows: false);

    /// <summary>
    /// Feeds a frame (BGR, any size) taken <paramref name="seconds"/> after the first, with the person boxes found in it;
    /// the foreground of this frame is then available from <see cref="Regions"/>.
    /// </summary>
    public void Learn(Mat frame, double seconds, IEnumerable<Tracking.BoundingBox> people)
    {
        _scale = frame.Width > Width ? (double)Width / frame.Width : 1;
        Cv2.Resize(frame, _small, new Size((int)Math.Round(frame.Width * _scale), (int)Math.Round(frame.Height * _scale)), 0, 0, InterpolationFlags.Area);
        _model.Apply(_small, _mask);
        _now = seconds;
        if (_seen is null || _seen.Size() != _small.Size())
        {
            _seen?.Dispose();
            _seen = new Mat(_small.Size(), MatType.CV_32FC1, new Scalar(-1e9));
        }
        foreach (Tracking.BoundingBox b in people)
        {
            var r = new Rect((int)(b.X1 * _scale), (int)(b.Y1 * _scale), (int)Math.Ceiling((b.X2 - b.X1) * _scale), (int)Math.Ceiling((b.Y2 - b.Y1) * _scale));
            r = r.Intersect(new Rect(0, 0, _seen.Width, _seen.Height));
            if (r.Width > 0 && r.Height > 0) _seen[r].SetTo(new Scalar(seconds));
        }
        _learnt++;
        double moving = Cv2.CountNonZero(_mask) / (double)(_mask.Rows * _mask.Cols);
        _changedFrames = moving > WholeViewChanged && _learnt > 10 ? _changedFrames + 1 : 0;
        if (_changedFrames < 3) return;
        _model.Dispose();
        _model = NewModel(options);
        _learnt = 0;
        _changedFrames = 0;
        Restarts++;
    }

    /// <summary>
    /// What to hide of the last frame learnt, as a mask of that frame's size (non-zero: hide): its moving blobs, and where
    /// people were seen lately. Null before the first frame.
    /// </summary>
    public Mat? Mask(Size frame)
    {
        if (_mask.Empty()) return null;
        Cv2.MorphologyEx(_mask, _clean, MorphTypes.Open, _open);
        RemoveSpecks(_clean, options.ForegroundMinPixels * _scale * _scale);
        if (_seen is not null)
        {
            Cv2.Threshold(_seen, _recent, _now - options.PersonMemory.TotalSeconds, 255, ThresholdTypes.Binary);
            _recent.ConvertTo(_recent, MatType.CV_8UC1);
            Cv2.BitwiseOr(_clean, _recent, _clean);
        }
        Cv2.Dilate(_clean, _clean, _grow);
        var full = new Mat();
        Cv2.Resize(_clean, full, frame, 0, 0, InterpolationFlags.Nearest);
        return full;
    }

    // Moving blobs smaller than a person could be are noise (leaves, sensor noise in the dark).
    private static void RemoveSpecks(Mat mask, double minArea)
    {
        Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        foreach (Point[] c in contours)
            if (Cv2.ContourArea(c) < minArea) Cv2.FillPoly(mask, [c], Scalar.Black);
    }

    public void Dispose()
    {
        _model.Dispose();
        _small.Dispose();
        _mask.Dispose();
        _clean.Dispose();
        _recent.Dispose();
        _seen?.Dispose();
        _open.Dispose();
        _grow.Dispose();
    }
}

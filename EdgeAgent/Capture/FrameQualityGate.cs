using System.IO.Hashing;
using OpenCvSharp;

using EdgeAgent.Health;
using EdgeAgent.Capture;
using EdgeAgent.Tracking;

namespace EdgeAgent.Capture;

/// <summary>
/// Decides whether a decoded frame is worth a detector run: rejects empty, corrupt (wrong format or blank),
/// frozen (byte-identical to the previous frame) and severely blurred frames, and optionally normalises
/// contrast (CLAHE on luminance) in place. One per camera, used on its capture thread.
/// </summary>
public sealed class FrameQualityGate(QualityGateOptions options) : IDisposable
{
    private ulong _previousHash;
    private bool _hasPrevious;
    private readonly Mat _grey = new(), _small = new(), _laplacian = new(), _lab = new();
    private CLAHE? _clahe;

    /// <summary>Sharpness (Laplacian variance) of the last frame checked; for diagnostics.</summary>
    public double LastSharpness { get; private set; }

    /// <summary>Returns null when the frame passes, else the reason to drop it.</summary>
    public unsafe DropReason? Check(Mat frame)
    {
        if (frame.Empty() || frame.Width == 0 || frame.Height == 0) return DropReason.Empty;
        if (frame.Type() != MatType.CV_8UC3 || !frame.IsContinuous()) return DropReason.Corrupt;

        if (options.DropFrozen)
        {
            long bytes = frame.Total() * frame.ElemSize();
            ulong hash = XxHash3.HashToUInt64(new ReadOnlySpan<byte>((void*)frame.Data, checked((int)bytes)));
            bool frozen = _hasPrevious && hash == _previousHash;
            _previousHash = hash;
            _hasPrevious = true;
            if (frozen) return DropReason.Frozen;
        }

        if (options.MinContrast > 0 || options.MinSharpness > 0)
        {
            Cv2.CvtColor(frame, _grey, ColorConversionCodes.BGR2GRAY);
            Cv2.Resize(_grey, _small, new Size(frame.Width / 2, frame.Height / 2), 0, 0, InterpolationFlags.Area);
            if (options.MinContrast > 0)
            {
                Cv2.MeanStdDev(_small, out _, out Scalar std);
                if (std.Val0 < options.MinContrast) return DropReason.Corrupt;
            }
            if (options.MinSharpness > 0)
            {
                Cv2.Laplacian(_small, _laplacian, MatType.CV_32F);
                Cv2.MeanStdDev(_laplacian, out _, out Scalar lstd);
                LastSharpness = lstd.Val0 * lstd.Val0;
                if (LastSharpness < options.MinSharpness) return DropReason.Blurred;
            }
        }
        return null;
    }

    /// <summary>Applies contrast normalisation in place when enabled.</summary>
    public void Normalise(Mat frame)
    {
        if (!options.Clahe) return;
        _clahe ??= Cv2.CreateCLAHE(options.ClaheClipLimit, new Size(8, 8));
        Cv2.CvtColor(frame, _lab, ColorConversionCodes.BGR2Lab);
        Mat[] planes = Cv2.Split(_lab);
        try
        {
            _clahe.Apply(planes[0], planes[0]);
            Cv2.Merge(planes, _lab);
            Cv2.CvtColor(_lab, frame, ColorConversionCodes.Lab2BGR);
        }
        finally
        {
            foreach (Mat p in planes) p.Dispose();
        }
    }

    /// <summary>Forget the previous frame (after a reconnect, the first frame may legitimately repeat).</summary>
    public void Reset() => _hasPrevious = false;

    public void Dispose()
    {
        _grey.Dispose(); _small.Dispose(); _laplacian.Dispose(); _lab.Dispose();
        _clahe?.Dispose();
    }
}

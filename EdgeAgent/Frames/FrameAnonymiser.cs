using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Frames;

/// <summary>
/// Makes a frame fit to leave the camera stage: a copy with every person box (or only each head) turned into a coarse
/// mosaic, JPEG-encoded. The original frame is not touched. Boxes are in frame pixels (tlbr).
/// </summary>
public sealed class FrameAnonymiser(FrameOptions options)
{
    public byte[] Anonymise(Mat frame, IEnumerable<BoundingBox> people)
    {
        using Mat copy = AnonymisedCopy(frame, people);
        return Encode(copy);
    }

    /// <summary>A copy with every person mosaicked, for a caller that draws on it before encoding (the live view).</summary>
    public Mat AnonymisedCopy(Mat frame, IEnumerable<BoundingBox> people)
    {
        Mat copy = frame.Clone();
        foreach (BoundingBox b in people) Pixelate(copy, Region(b, frame.Width, frame.Height));
        return copy;
    }

    public byte[] Encode(Mat image)
    {
        Cv2.ImEncode(".jpg", image, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, options.JpegQuality));
        return jpeg;
    }

    private Rect Region(BoundingBox b, int width, int height)
    {
        float w = b.X2 - b.X1, h = b.Y2 - b.Y1;
        float m = (float)options.Margin;
        float x1 = b.X1 - (m * w), x2 = b.X2 + (m * w), y1 = b.Y1 - (m * h), y2 = b.Y2 + (m * h);
        if (options.Anonymisation == AnonymisationMode.PixelateHeads) y2 = b.Y1 + (0.25f * h);   // the top quarter: the head
        int ix1 = (int)Math.Clamp(x1, 0, width), iy1 = (int)Math.Clamp(y1, 0, height);
        int ix2 = (int)Math.Clamp(x2, 0, width), iy2 = (int)Math.Clamp(y2, 0, height);
        return new Rect(ix1, iy1, Math.Max(0, ix2 - ix1), Math.Max(0, iy2 - iy1));
    }

    private void Pixelate(Mat image, Rect r)
    {
        if (r.Width < 2 || r.Height < 2) return;
        using var region = new Mat(image, r);
        int across = Math.Max(1, options.CellsAcross);
        int down = Math.Max(1, (int)Math.Round(across * (double)r.Height / r.Width));
        using var small = new Mat();
        Cv2.Resize(region, small, new Size(across, down), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(small, region, new Size(r.Width, r.Height), 0, 0, InterpolationFlags.Nearest);
    }
}

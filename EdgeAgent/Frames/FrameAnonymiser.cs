using EdgeAgent.Tracking;
using OpenCvSharp;

namespace EdgeAgent.Frames;

/// <summary>
/// Makes a frame fit to leave the camera stage: a copy with every person box (or only each head) and every moving region
/// turned into a coarse mosaic — or the whole frame, while the background model learns — JPEG-encoded. The original
/// frame is not touched. Boxes are in frame pixels (tlbr).
/// </summary>
public sealed class FrameAnonymiser(FrameOptions options)
{
    /// <summary>Cells across the frame for what moves (and where people were lately): 24 px on a 768-px frame.</summary>
    public const int MotionCellsAcross = 32;

    public byte[] Anonymise(Mat frame, IEnumerable<BoundingBox> people) => Anonymise(frame, new PrivacyMask([.. people]));

    public byte[] Anonymise(Mat frame, PrivacyMask mask)
    {
        using Mat copy = AnonymisedCopy(frame, mask);
        return Encode(copy);
    }

    /// <summary>
    /// A copy with everything the mask names mosaicked — the people's boxes (grown by the margin) and the moving regions —
    /// or the whole frame when the mask says nothing can be told apart yet; for a caller that draws on it before encoding.
    /// </summary>
    public Mat AnonymisedCopy(Mat frame, PrivacyMask mask)
    {
        Mat copy = frame.Clone();
        if (mask.Whole && options.Anonymisation != AnonymisationMode.PixelateHeads)
        {
            EdgeAgent.Health.EdgeMetrics.FramesWhollyMosaicked.Add(1);
            Pixelate(copy, new Rect(0, 0, frame.Width, frame.Height), Math.Max(8, options.CellsAcross * 4));
            return copy;
        }
        foreach (BoundingBox b in mask.People) Pixelate(copy, Region(b, frame.Width, frame.Height));
        if (mask.Foreground is { } moving && options.Anonymisation != AnonymisationMode.PixelateHeads)
        {
            // Where something moves or someone was lately: whole cells of a coarse grid over the frame (a 32nd of its width,
            // about a person's width) take their mean colour — the cells, not the outline, so no silhouette is drawn —
            // and the rest of the frame stays as it is, useful for checking the view.
            using Mat? hide = moving.Mask(frame.Size());
            if (hide is not null && Cv2.CountNonZero(hide) > 0)
            {
                var grid = new Size(MotionCellsAcross, Math.Max(1, (int)Math.Round(MotionCellsAcross * (double)frame.Height / frame.Width)));
                using var cells = new Mat();
                using var cellMask = new Mat();
                using var mosaic = new Mat();
                using var blocks = new Mat();
                Cv2.Resize(frame, cells, grid, 0, 0, InterpolationFlags.Area);
                Cv2.Resize(cells, mosaic, frame.Size(), 0, 0, InterpolationFlags.Nearest);
                Cv2.Resize(hide, cellMask, grid, 0, 0, InterpolationFlags.Area);
                Cv2.Threshold(cellMask, cellMask, 0, 255, ThresholdTypes.Binary);   // a cell with any hidden pixel is hidden whole
                Cv2.Resize(cellMask, blocks, frame.Size(), 0, 0, InterpolationFlags.Nearest);
                mosaic.CopyTo(copy, blocks);
            }
        }
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

    private void Pixelate(Mat image, Rect r, int? cellsAcross = null)
    {
        if (r.Width < 2 || r.Height < 2) return;
        using var region = new Mat(image, r);
        int across = Math.Max(1, cellsAcross ?? options.CellsAcross);
        int down = Math.Max(1, (int)Math.Round(across * (double)r.Height / r.Width));
        using var small = new Mat();
        Cv2.Resize(region, small, new Size(across, down), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(small, region, new Size(r.Width, r.Height), 0, 0, InterpolationFlags.Nearest);
    }
}

namespace EdgeAgent.Inference;

/// <summary>
/// Geometry of fitting a frame into the model input: either keep the aspect ratio and paste at the top-left
/// (letterbox, padding right and bottom), or stretch to fill. Maps model-space boxes back to the frame.
/// </summary>
public readonly record struct Letterbox(int FrameWidth, int FrameHeight, int InputWidth, int InputHeight, double ScaleX, double ScaleY, int ResizedWidth, int ResizedHeight)
{
    public static Letterbox Compute(int frameWidth, int frameHeight, int inputWidth, int inputHeight, bool keepAspect)
    {
        if (!keepAspect)
            return new Letterbox(frameWidth, frameHeight, inputWidth, inputHeight,
                (double)inputWidth / frameWidth, (double)inputHeight / frameHeight, inputWidth, inputHeight);
        double r = Math.Min((double)inputWidth / frameWidth, (double)inputHeight / frameHeight);
        int w = (int)Math.Round(frameWidth * r), h = (int)Math.Round(frameHeight * r);
        return new Letterbox(frameWidth, frameHeight, inputWidth, inputHeight, r, r, Math.Min(w, inputWidth), Math.Min(h, inputHeight));
    }

    /// <summary>Maps a box in model-input pixels back to frame pixels, clipped to the frame.</summary>
    public Tracking.BoundingBox ToFrame(float x1, float y1, float x2, float y2) =>
        new Tracking.BoundingBox((float)(x1 / ScaleX), (float)(y1 / ScaleY), (float)(x2 / ScaleX), (float)(y2 / ScaleY))
            .ClipTo(FrameWidth, FrameHeight);
}

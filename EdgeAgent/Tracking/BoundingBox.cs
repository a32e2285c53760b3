namespace EdgeAgent.Tracking;

/// <summary>An axis-aligned box in frame pixels, stored as top-left / bottom-right (tlbr).</summary>
public readonly record struct BoundingBox(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => Math.Max(0f, Width) * Math.Max(0f, Height);
    public float CenterX => (X1 + X2) * 0.5f;

    /// <summary>The bottom-centre of the box: where the person's feet touch the floor.</summary>
    public (float X, float Y) Feet => (CenterX, Y2);

    public static BoundingBox FromTlwh(float x, float y, float w, float h) => new(x, y, x + w, y + h);

    public float IoU(in BoundingBox other)
    {
        float iw = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        if (iw <= 0) return 0f;
        float ih = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (ih <= 0) return 0f;
        float inter = iw * ih;
        float union = Area + other.Area - inter;
        return union <= 0 ? 0f : inter / union;
    }

    public BoundingBox ClipTo(int width, int height) => new(
        Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height),
        Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));
}

using OpenCvSharp;

namespace EdgeAgent.Inference;

/// <summary>
/// Turns a BGR frame into the model's NCHW float input, as the model's preprocessing states: resize
/// (letterbox top-left or stretch) into a canvas allocated once, then per channel
/// value = (pixel × scale − mean) / std, with BGR→RGB swapped when the model wants RGB.
/// Not thread-safe: one per detector, used under the detector's lock.
/// </summary>
public sealed class InputTensorWriter : IDisposable
{
    private readonly Preprocessing _pre;
    private readonly int _width, _height;
    private readonly Mat _canvas;
    private readonly bool _keepAspect;
    private readonly float[] _mul = new float[3], _add = new float[3];
    private readonly int[] _sourceChannel = new int[3];
    private Letterbox _last;

    public InputTensorWriter(int width, int height, Preprocessing pre)
    {
        _width = width;
        _height = height;
        _pre = pre;
        _keepAspect = pre.Resize.StartsWith("letterbox", StringComparison.Ordinal);
        _canvas = new Mat(height, width, MatType.CV_8UC3, Scalar.All(pre.PadValue));
        bool rgb = string.Equals(pre.Channels, "RGB", StringComparison.OrdinalIgnoreCase);
        for (int c = 0; c < 3; c++)
        {
            _sourceChannel[c] = rgb ? 2 - c : c;
            _mul[c] = (float)(pre.Scale / pre.Std[c]);
            _add[c] = (float)(-pre.Mean[c] / pre.Std[c]);
        }
    }

    public int Width => _width;
    public int Height => _height;

    /// <summary>Writes the frame into <paramref name="tensor"/> (length 3·H·W) and returns the geometry used.</summary>
    public unsafe Letterbox Write(Mat frame, Span<float> tensor)
    {
        if (frame.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected a BGR 8-bit frame, got {frame.Type()}");
        Letterbox lb = Letterbox.Compute(frame.Width, frame.Height, _width, _height, _keepAspect);
        if (lb != _last)
        {
            _canvas.SetTo(Scalar.All(_pre.PadValue));
            _last = lb;
        }
        using (Mat roi = new Mat(_canvas, new Rect(0, 0, lb.ResizedWidth, lb.ResizedHeight)))
            Cv2.Resize(frame, roi, new Size(lb.ResizedWidth, lb.ResizedHeight), 0, 0, InterpolationFlags.Linear);

        int plane = _width * _height;
        if (tensor.Length < plane * 3) throw new ArgumentException("tensor buffer too small");
        byte* src = (byte*)_canvas.Data;
        long step = _canvas.Step();
        fixed (float* dst = tensor)
        {
            for (int c = 0; c < 3; c++)
            {
                float mul = _mul[c], add = _add[c];
                int sc = _sourceChannel[c];
                float* outPlane = dst + c * plane;
                for (int y = 0; y < _height; y++)
                {
                    byte* row = src + y * step + sc;
                    float* outRow = outPlane + y * _width;
                    for (int x = 0; x < _width; x++) outRow[x] = row[x * 3] * mul + add;
                }
            }
        }
        return lb;
    }

    public void Dispose() => _canvas.Dispose();
}

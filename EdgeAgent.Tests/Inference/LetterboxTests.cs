using EdgeAgent.Inference;
using OpenCvSharp;

namespace EdgeAgent.Tests.Inference;

public class LetterboxTests
{
    [Test]
    public void Compute_PetsFrameInto416_KeepsAspectAndPadsBottom()
    {
        Letterbox lb = Letterbox.Compute(768, 576, 416, 416, keepAspect: true);
        Assert.That(lb.ScaleX, Is.EqualTo(416.0 / 768).Within(1e-12));
        Assert.That((lb.ResizedWidth, lb.ResizedHeight), Is.EqualTo((416, 312)));
    }

    [Test]
    public void ToFrame_MapsModelBoxBackAndClips()
    {
        Letterbox lb = Letterbox.Compute(768, 576, 416, 416, keepAspect: true);
        var box = lb.ToFrame(104, 52, 430, 400);
        Assert.That(box.X1, Is.EqualTo(192).Within(1e-3));
        Assert.That(box.Y1, Is.EqualTo(96).Within(1e-3));
        Assert.That(box.X2, Is.EqualTo(768), "clipped to the frame");
        Assert.That(box.Y2, Is.EqualTo(576), "clipped to the frame");
    }

    [Test]
    public void Write_YoloxPreprocessing_BgrUnscaledTopLeftWithPad114()
    {
        using var frame = new Mat(576, 768, MatType.CV_8UC3, new Scalar(10, 20, 30)); // B, G, R
        var pre = new Preprocessing { Channels = "BGR", Resize = "letterbox-top-left", PadValue = 114 };
        using var writer = new InputTensorWriter(416, 416, pre);
        var tensor = new float[3 * 416 * 416];
        writer.Write(frame, tensor);
        int plane = 416 * 416;
        Assert.That(new[] { tensor[0], tensor[plane], tensor[2 * plane] }, Is.EqualTo(new[] { 10f, 20f, 30f }), "top-left pixel, channels B,G,R");
        int belowImage = 320 * 416 + 5;
        Assert.That(new[] { tensor[belowImage], tensor[plane + belowImage], tensor[2 * plane + belowImage] }, Is.All.EqualTo(114f), "padding rows");
        int lastImageRow = 311 * 416 + 415;
        Assert.That(tensor[lastImageRow], Is.EqualTo(10f), "image reaches row 311");
    }

    [Test]
    public void Write_ImageNetPreprocessing_SwapsToRgbAndNormalises()
    {
        using var frame = new Mat(100, 50, MatType.CV_8UC3, new Scalar(0, 128, 255)); // B=0, G=128, R=255
        var pre = new Preprocessing
        {
            Channels = "RGB", Scale = 1 / 255.0, Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225], Resize = "stretch", PadValue = 0,
        };
        using var writer = new InputTensorWriter(128, 256, pre);
        var tensor = new float[3 * 128 * 256];
        writer.Write(frame, tensor);
        int plane = 128 * 256;
        Assert.That(tensor[0], Is.EqualTo((1.0 - 0.485) / 0.229).Within(1e-5), "R first");
        Assert.That(tensor[plane], Is.EqualTo((128 / 255.0 - 0.456) / 0.224).Within(1e-5));
        Assert.That(tensor[2 * plane], Is.EqualTo((0 - 0.406) / 0.225).Within(1e-5), "B last");
    }
}

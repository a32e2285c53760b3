using EdgeAgent.Tracking;
using EdgeAgent.Health;
using EdgeAgent.Capture;
using OpenCvSharp;

namespace EdgeAgent.Tests.Capture;

public class FrameQualityGateTests
{
    private static Mat VideoFrame(int index = 100)
    {
        using var capture = new VideoCapture(TestAssets.Video);
        capture.Set(VideoCaptureProperties.PosFrames, index);
        var frame = new Mat();
        Assert.That(capture.Read(frame), Is.True);
        return frame;
    }

    [Test]
    public void Check_RealFrames_Pass()
    {
        using var gate = new FrameQualityGate(new QualityGateOptions());
        using var a = VideoFrame(100);
        using var b = VideoFrame(101);
        Assert.That(gate.Check(a), Is.Null);
        Assert.That(gate.Check(b), Is.Null);
        Assert.That(gate.LastSharpness, Is.GreaterThan(new QualityGateOptions().MinSharpness * 3), "the sample video is far from the blur threshold");
    }

    [Test]
    public void Check_SameFrameTwice_SecondIsFrozen()
    {
        using var gate = new FrameQualityGate(new QualityGateOptions());
        using var a = VideoFrame();
        using var copy = a.Clone();
        Assert.That(gate.Check(a), Is.Null);
        Assert.That(gate.Check(copy), Is.EqualTo(DropReason.Frozen));
    }

    [Test]
    public void Check_HeavilyBlurredFrame_IsBlurred()
    {
        using var gate = new FrameQualityGate(new QualityGateOptions());
        using var frame = VideoFrame();
        using var blurred = new Mat();
        Cv2.GaussianBlur(frame, blurred, new Size(0, 0), 8);
        Assert.That(gate.Check(blurred), Is.EqualTo(DropReason.Blurred));
    }

    [Test]
    public void Check_EmptyAndUniformFrames_AreEmptyAndCorrupt()
    {
        using var gate = new FrameQualityGate(new QualityGateOptions());
        using var empty = new Mat();
        using var green = new Mat(576, 768, MatType.CV_8UC3, new Scalar(0, 135, 0));
        using var grey = new Mat(576, 768, MatType.CV_8UC1, Scalar.All(90));
        Assert.That(gate.Check(empty), Is.EqualTo(DropReason.Empty));
        Assert.That(gate.Check(green), Is.EqualTo(DropReason.Corrupt), "a flat frame is a decoder failure or a covered lens");
        Assert.That(gate.Check(grey), Is.EqualTo(DropReason.Corrupt), "wrong pixel format");
    }

    [Test]
    public void Normalise_WithClahe_RaisesContrastOfADarkFrame()
    {
        using var gate = new FrameQualityGate(new QualityGateOptions { Clahe = true });
        using var frame = VideoFrame();
        using var dark = new Mat();
        frame.ConvertTo(dark, -1, 0.25, 0);
        Cv2.MeanStdDev(dark, out _, out Scalar before);
        gate.Normalise(dark);
        Cv2.MeanStdDev(dark, out _, out Scalar after);
        Assert.That(after.Val1, Is.GreaterThan(before.Val1 * 1.5));
    }

    [Test]
    public void Normalise_WithoutClahe_LeavesFrameUntouched()
    {
        using var gate = new FrameQualityGate(new QualityGateOptions());
        using var frame = VideoFrame();
        using var copy = frame.Clone();
        gate.Normalise(frame);
        Assert.That(Cv2.Norm(frame, copy, NormTypes.L1), Is.Zero);
    }
}

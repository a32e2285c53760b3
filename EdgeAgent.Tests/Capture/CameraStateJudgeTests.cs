using EdgeAgent.Health;

namespace EdgeAgent.Tests.Capture;

/// <summary>Delivering, degraded or down, decided from a camera's counters at each poll (ticks of a 1 kHz clock here).</summary>
public class CameraStateJudgeTests
{
    private const long F = 1000;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 7, 0, 0, TimeSpan.Zero);
    private static CameraStateJudge Judge() => new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), startedAt: 1, frequency: F);

    private static CameraState At(CameraStateJudge j, double seconds, CameraReading r, out bool changed) =>
        j.Judge("cam", r, 1 + (long)(seconds * F), T0.AddSeconds(seconds), out changed);

    [Test]
    public void NeverOpened_StartingWithinTheOpenTimeout_ThenDownWithTheCaptureError()
    {
        var j = Judge();
        var refused = new CameraReading(false, 0, 0, 0, 0, "rtsp://cam:554/s: Connection refused");
        Assert.That(At(j, 5, refused, out _).Condition, Is.EqualTo(CameraCondition.Starting));
        CameraState down = At(j, 10.5, refused, out bool changed);
        Assert.That((down.Condition, down.Reason, down.Since, changed), Is.EqualTo((CameraCondition.Down, refused.LastError, T0.AddSeconds(10.5), true)));
        Assert.That(At(j, 30, refused, out changed).Since, Is.EqualTo(T0.AddSeconds(10.5)), "since stays when the condition does");
        Assert.That(changed, Is.False);
    }

    [Test]
    public void Delivering_ThenSilentForTheStallTimeout_Down_ThenFramesAgain_Delivering()
    {
        var j = Judge();
        long accepted = 0;
        CameraState s = null!;
        for (double t = 1; t <= 12; t += 0.25)
        {
            accepted += 2;   // 8 frames/s against a promised 8
            s = At(j, t, new CameraReading(true, 1, 1 + (long)(t * F), accepted, 8, null), out _);
        }
        Assert.That(s.Condition, Is.EqualTo(CameraCondition.Delivering));
        Assert.That(At(j, 16.9, new CameraReading(true, 1, 1 + 12 * F, accepted, 8, null), out _).Condition, Is.EqualTo(CameraCondition.Delivering));
        CameraState stalled = At(j, 17.1, new CameraReading(true, 1, 1 + 12 * F, accepted, 8, null), out bool changed);
        Assert.That((stalled.Condition, changed), Is.EqualTo((CameraCondition.Down, true)));
        Assert.That(stalled.Reason, Does.StartWith("no frame for 5"));
        // Reopened, but no frame yet: still down.
        Assert.That(At(j, 20, new CameraReading(true, 1 + 19 * F, 1 + 12 * F, accepted, 8, null), out _).Condition, Is.EqualTo(CameraCondition.Down));
        Assert.That(At(j, 21, new CameraReading(true, 1 + 19 * F, 1 + 21 * F, accepted + 1, 8, null), out changed).Condition, Is.EqualTo(CameraCondition.Delivering));
        Assert.That(changed, Is.True);
    }

    [Test]
    public void FramesAtAThirdOfThePromisedRate_Degraded_BackAtSeventyPercent()
    {
        var j = Judge();
        long accepted = 0;
        CameraState s = null!;
        for (double t = 0.25; t <= 12; t += 0.25)
        {
            accepted += (int)(t * 4) % 3 == 0 ? 1 : 0;   // ~ 1.3 frames/s against 4
            s = At(j, t, new CameraReading(true, 1, 1 + (long)(t * F), accepted, 4, null), out _);
        }
        Assert.That(s.Condition, Is.EqualTo(CameraCondition.Degraded));
        Assert.That(s.Reason, Does.Contain("of 4 frames/s"));
        for (double t = 12.25; t <= 30; t += 0.25)
        {
            accepted += 1;   // 4 frames/s
            s = At(j, t, new CameraReading(true, 1, 1 + (long)(t * F), accepted, 4, null), out _);
        }
        Assert.That(s.Condition, Is.EqualTo(CameraCondition.Delivering));
    }
}

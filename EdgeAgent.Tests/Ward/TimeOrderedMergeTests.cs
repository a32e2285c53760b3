using EdgeAgent.Tracking;
using EdgeAgent.Pipeline;
using EdgeAgent.Ward;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Ward;

public class TimeOrderedMergeTests
{
    private static TrackSnapshot At(string camera, double seconds) =>
        new(camera, (long)(seconds * 10), DateTimeOffset.UnixEpoch, 100, 100, [], [], TimeSpan.FromSeconds(seconds));

    [Test]
    public void Add_CameraAhead_WaitsForTheOtherToCatchUp()
    {
        var merge = new TimeOrderedMerge(new FakeTimeProvider());
        Assert.That(merge.Add(At("a", 1.0)).Select(s => s.CameraId), Is.EqualTo(new[] { "a" }));
        Assert.That(merge.Add(At("b", 0.5)), Has.Count.EqualTo(1), "b's own time is the horizon: b at 0.5 is ready");
        Assert.That(merge.Add(At("a", 2.0)), Is.Empty, "a is ahead of b: hold");
        var ready = merge.Add(At("b", 1.5));
        Assert.That(ready.Select(s => (s.CameraId, s.MediaTime!.Value.TotalSeconds)), Is.EqualTo(new[] { ("b", 1.5) }), "a at 2.0 still ahead");
        Assert.That(merge.Flush().Select(s => (s.CameraId, s.MediaTime!.Value.TotalSeconds)), Is.EqualTo(new[] { ("a", 2.0) }));
    }

    [Test]
    public void Add_SilentCamera_IsNotWaitedForAfterMaxWait()
    {
        var clock = new FakeTimeProvider();
        var merge = new TimeOrderedMerge(clock);
        merge.Add(At("a", 1.0));
        merge.Add(At("b", 1.0));
        Assert.That(merge.Add(At("a", 5.0)), Is.Empty);
        clock.Advance(TimeOrderedMerge.MaxWait + TimeSpan.FromMilliseconds(1));
        Assert.That(merge.Add(At("a", 6.0)), Has.Count.EqualTo(2), "b went silent: a is no longer held back");
    }
}

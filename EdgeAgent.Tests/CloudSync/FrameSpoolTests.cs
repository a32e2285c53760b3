using CloudSync.Blob;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.CloudSync;

public class FrameSpoolTests
{
    [Test]
    public void Oldest_FramesPastTheirTimeToLive_AreDroppedAndCounted_OthersComeOldestFirst()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.Zero));
        string dir = TestAssets.NewTempDirectory();
        var spool = new FrameSpool(dir, quotaBytes: 1_000_000, ttl: TimeSpan.FromHours(72), time);
        spool.Add("bay3", time.GetUtcNow().AddHours(-80), "PixelatePersons", [1, 2, 3]);
        spool.Add("bay_4", time.GetUtcNow().AddHours(-1), "PixelatePersons", [4]);
        spool.Add("bay3", time.GetUtcNow().AddHours(-2), "PixelateHeads", [5]);
        var waiting = spool.Oldest(10);
        Assert.That(waiting.Select(f => (f.Camera, f.Anonymisation)), Is.EqualTo(new[] { ("bay3", "PixelateHeads"), ("bay_4", "PixelatePersons") }));
        Assert.That(spool.Dropped, Is.EqualTo(1));
    }

    [Test]
    public void New_AfterACrashMidWrite_LeftoverTemporaryFilesAreRemoved()
    {
        string dir = TestAssets.NewTempDirectory();
        File.WriteAllBytes(Path.Combine(dir, "0638000000000000000.bay3.PixelatePersons.jpg.tmp"), [1, 2]);
        var spool = new FrameSpool(dir, 1_000_000, TimeSpan.FromHours(72), TimeProvider.System);
        Assert.That(Directory.GetFiles(dir), Is.Empty);
        Assert.That(spool.Oldest(10), Is.Empty);
    }
}

using CloudSync.Mqtt;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.CloudSync;

/// <summary>The destination's token buckets on a stepped clock: the rate holds, bytes and messages both bind, nothing starves.</summary>
public class SendRateTests
{
    // Sends as fast as the buckets allow for the given simulated time, stepping the clock by each wait (plus a little
    // lateness, as Task.Delay has); returns messages and bytes sent.
    private static (int Messages, long Bytes) Drive(SendRate rate, FakeTimeProvider clock, TimeSpan duration, int messageBytes, double lateMs = 0.3)
    {
        DateTimeOffset end = clock.GetUtcNow() + duration;
        int sent = 0;
        long bytes = 0;
        while (clock.GetUtcNow() < end)
        {
            TimeSpan wait = rate.Take(1, messageBytes);
            if (wait > TimeSpan.Zero) { clock.Advance(wait + TimeSpan.FromMilliseconds(lateMs)); continue; }
            sent++;
            bytes += messageBytes;
        }
        return (sent, bytes);
    }

    [Test]
    public void MessagesPerSecond_HeldWithinTwoPercentOverTenSeconds_DespiteLateWakeUps()
    {
        var clock = new FakeTimeProvider();
        var (sent, _) = Drive(new SendRate(1000, null, clock), clock, TimeSpan.FromSeconds(10), 150, lateMs: 0.7);
        Assert.That(sent, Is.InRange(9_900, 10_200), "1000/s for 10 s, plus at most the bucket's 100 at the start");
    }

    [Test]
    public void BytesPerSecond_BindsWhenMessagesAreLarge()
    {
        var clock = new FakeTimeProvider();
        var (sent, bytes) = Drive(new SendRate(1000, 100_000, clock), clock, TimeSpan.FromSeconds(10), 2_000);
        Assert.That(bytes / 10.0, Is.InRange(98_000, 102_000), "100 kB/s, not 1000 messages/s of 2 kB");
        Assert.That(sent, Is.LessThan(600));
    }

    [Test]
    public void AMessageLargerThanTheBucket_PassesWhenFull_AndTheDebtIsPaid()
    {
        var clock = new FakeTimeProvider();
        var rate = new SendRate(null, 10_000, clock);   // the bucket holds 1,000 bytes
        Assert.That(rate.Take(1, 5_000), Is.EqualTo(TimeSpan.Zero), "a full bucket lets a large message through");
        TimeSpan wait = rate.Take(1, 100);
        Assert.That(wait.TotalMilliseconds, Is.InRange(400, 520), "the 4,000-byte debt plus the next message is paid at 10 kB/s first");
    }

    [Test]
    public void NoLimit_NeverWaits()
    {
        var rate = new SendRate(null, null, new FakeTimeProvider());
        Assert.That(rate.Limited, Is.False);
        Assert.That(Enumerable.Range(0, 100_000).All(_ => rate.Take(2, 1_000_000) == TimeSpan.Zero), Is.True);
    }
}

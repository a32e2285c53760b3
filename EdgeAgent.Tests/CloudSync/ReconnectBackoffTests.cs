using CloudSync;
using EdgeAgent.Capture;

namespace EdgeAgent.Tests.CloudSync;

public class ReconnectBackoffTests
{
    [Test]
    public void NextDelay_WithoutJitter_DoublesUpToTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0);
        double[] delays = Enumerable.Range(0, 6).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();
        Assert.That(delays, Is.EqualTo(new[] { 1.0, 2, 4, 8, 10, 10 }));
    }

    [Test]
    public void NextDelay_WithJitter_StaysWithinTheSpread()
    {
        var low = new ReconnectBackoff(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(60), 0.25, () => 0.0);
        var high = new ReconnectBackoff(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(60), 0.25, () => 1.0);
        Assert.That(low.NextDelay().TotalSeconds, Is.EqualTo(3.0).Within(1e-9));
        Assert.That(high.NextDelay().TotalSeconds, Is.EqualTo(5.0).Within(1e-9));
    }

    [Test]
    public void NextDelay_ManyCameras_DoNotRetryInLockStep()
    {
        var random = new Random(1);
        var delays = Enumerable.Range(0, 20)
            .Select(_ => new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), 0.2, random.NextDouble).NextDelay())
            .Distinct().Count();
        Assert.That(delays, Is.GreaterThan(15));
    }

    [Test]
    public void Reset_AfterSuccess_StartsFromInitialDelay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0);
        backoff.NextDelay(); backoff.NextDelay(); backoff.NextDelay();
        backoff.Reset();
        Assert.That(backoff.NextDelay(), Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(backoff.Failures, Is.EqualTo(1));
    }
}

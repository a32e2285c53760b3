using EdgeAgent.Badges;

namespace EdgeAgent.Tests.Badges;

public class BadgeFusionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 7, 0, 0, TimeSpan.Zero);
    private static readonly BadgeRead NurseAtA = new("r1", "door-a", "nurse", "ward-7");

    [Test]
    public void ReadThenCrossingWithinWindow_CrossingGetsTheRoleOnce()
    {
        var fusion = new BadgeFusion(TimeSpan.FromSeconds(5));
        Assert.That(fusion.OnRead(NurseAtA, T0), Is.Null);
        Assert.That(fusion.OnCrossing("door-b", "p1", T0.AddSeconds(1)), Is.Null, "another door");
        Assert.That(fusion.OnCrossing("door-a", "p2", T0.AddSeconds(2)), Is.EqualTo("nurse"));
        Assert.That(fusion.OnCrossing("door-a", "p3", T0.AddSeconds(3)), Is.Null, "a read is used once");
    }

    [Test]
    public void CrossingThenRead_TheNearestCrossingInTimeGetsTheRole()
    {
        var fusion = new BadgeFusion(TimeSpan.FromSeconds(5));
        fusion.OnCrossing("door-a", "early", T0);
        fusion.OnCrossing("door-a", "late", T0.AddSeconds(3));
        Assert.That(fusion.OnRead(NurseAtA, T0.AddSeconds(4)), Is.EqualTo(("late", "nurse")));
    }

    [Test]
    public void ReadOutsideTheWindow_NoOneGetsTheRole()
    {
        var fusion = new BadgeFusion(TimeSpan.FromSeconds(5));
        fusion.OnRead(NurseAtA, T0);
        Assert.That(fusion.OnCrossing("door-a", "p1", T0.AddSeconds(6)), Is.Null);
    }
}

using EdgeAgent.Evaluation;
using EdgeAgent.Tracking;

namespace EdgeAgent.Tests.Evaluation;

public class HandoffEvaluatorTests
{
    // A 768 px view cut into left [0, 480) and right [288, 768); the shared part is 288–480.
    private static MotRow Gt(int frame, int id, float x) => new(frame, id, new BoundingBox(x - 10, 100, x + 10, 200), 1, true);

    private static MotRow Ward(int frame, int wardId, float x, double cropX) => new(frame, wardId, new BoundingBox((float)(x - 10 - cropX), 100, (float)(x + 10 - cropX), 200), 1, true);

    [Test]
    public void Evaluate_PersonWalksLeftToRightKeepingTheirWardId_IsKept_ChangingIt_IsNot()
    {
        var gt = new[] { Gt(1, 1, 250), Gt(2, 1, 400), Gt(3, 1, 520) };
        var left = new HandoffEvaluator.Camera("left", 0, 480, [Ward(1, 7, 250, 0), Ward(2, 7, 400, 0)]);
        var kept = HandoffEvaluator.Evaluate(gt, left, new HandoffEvaluator.Camera("right", 288, 480, [Ward(2, 7, 400, 288), Ward(3, 7, 520, 288)]));
        Assert.That((kept.Measured, kept.Kept), Is.EqualTo((1, 1)));
        var changed = HandoffEvaluator.Evaluate(gt, left, new HandoffEvaluator.Camera("right", 288, 480, [Ward(3, 9, 520, 288)]));
        Assert.That((changed.Measured, changed.Kept), Is.EqualTo((1, 0)));
    }

    [Test]
    public void Evaluate_LastBoxInTheFirstCameraCoversTwoPeople_UsesTheFrameBefore()
    {
        // At frame 2 person 1 and person 2 stand behind one box (ward 5, person 2's); frame 1 shows person 1 as ward 7.
        var gt = new[] { Gt(1, 1, 250), Gt(2, 1, 252), Gt(2, 2, 250), Gt(3, 1, 520) };
        var left = new HandoffEvaluator.Camera("left", 0, 480, [Ward(1, 7, 250, 0), Ward(2, 5, 251, 0)]);
        var right = new HandoffEvaluator.Camera("right", 288, 480, [Ward(3, 7, 520, 288)]);
        var result = HandoffEvaluator.Evaluate(gt, left, right);
        Assert.That((result.Measured, result.Kept), Is.EqualTo((1, 1)), string.Join("; ", result.Failures));
    }
}

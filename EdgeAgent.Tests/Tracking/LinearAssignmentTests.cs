using EdgeAgent.Tracking;

namespace EdgeAgent.Tests.Tracking;

public class LinearAssignmentTests
{
    [Test]
    public void Solve_SquareMatrix_FindsMinimumCost()
    {
        double[] cost = [0.9, 0.1, 0.5,
                         0.2, 0.8, 0.6,
                         0.7, 0.6, 0.1];
        var rowToCol = new int[3];
        int matches = new LinearAssignment().Solve(cost, 3, 3, 1.0, rowToCol);
        Assert.That(matches, Is.EqualTo(3));
        Assert.That(rowToCol, Is.EqualTo(new[] { 1, 0, 2 }));
    }

    [Test]
    public void Solve_PairAboveCostLimit_IsLeftUnmatched()
    {
        double[] cost = [0.95, 0.99,
                         0.30, 0.97];
        var rowToCol = new int[2];
        int matches = new LinearAssignment().Solve(cost, 2, 2, 0.8, rowToCol);
        Assert.That(matches, Is.EqualTo(1));
        Assert.That(rowToCol, Is.EqualTo(new[] { -1, 0 }));
    }

    [Test]
    public void Solve_RandomMatrices_AgreesWithBruteForce()
    {
        var random = new Random(7);
        var solver = new LinearAssignment();
        for (int trial = 0; trial < 300; trial++)
        {
            int rows = random.Next(1, 6), cols = random.Next(1, 6);
            double limit = 0.3 + random.NextDouble() * 0.7;
            double[] cost = Enumerable.Range(0, rows * cols).Select(_ => random.NextDouble()).ToArray();
            var rowToCol = new int[rows];
            solver.Solve(cost, rows, cols, limit, rowToCol);
            double Objective(int[] assign) =>
                Enumerable.Range(0, rows).Sum(i => assign[i] < 0 ? limit / 2 : cost[i * cols + assign[i]])
                + (cols - assign.Count(a => a >= 0)) * limit / 2;
            double best = BruteForce(cost, rows, cols, limit, Objective);
            Assert.That(Objective(rowToCol), Is.EqualTo(best).Within(1e-9), $"trial {trial}");
            Assert.That(rowToCol.Where(c => c >= 0).Distinct().Count(), Is.EqualTo(rowToCol.Count(c => c >= 0)), "one column per row");
        }
    }

    [Test]
    public void SolveMaxWeight_Rectangular_MaximisesTotal()
    {
        double[] weight = [5, 1, 0, 0,
                           4, 6, 0, 2];
        var rowToCol = new int[2];
        new LinearAssignment().SolveMaxWeight(weight, 2, 4, rowToCol);
        Assert.That(rowToCol, Is.EqualTo(new[] { 0, 1 }));
    }

    private static double BruteForce(double[] cost, int rows, int cols, double limit, Func<int[], double> objective)
    {
        double best = double.MaxValue;
        var assign = new int[rows];
        void Recurse(int row, HashSet<int> used)
        {
            if (row == rows) { best = Math.Min(best, objective(assign)); return; }
            assign[row] = -1;
            Recurse(row + 1, used);
            for (int c = 0; c < cols; c++)
            {
                if (used.Contains(c) || cost[row * cols + c] > limit) continue;
                used.Add(c); assign[row] = c;
                Recurse(row + 1, used);
                used.Remove(c);
            }
            assign[row] = -1;
        }
        Recurse(0, []);
        return best;
    }
}

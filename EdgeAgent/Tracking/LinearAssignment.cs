namespace EdgeAgent.Tracking;

/// <summary>
/// Minimum-cost assignment (Hungarian method with potentials, O(n²m)) with a cost limit: a pair whose
/// cost exceeds the limit is never matched, and leaving a row or column unmatched costs limit/2, which
/// is the "extended cost" formulation ByteTrack uses with lapjv.
/// Working arrays are kept between calls; one instance per thread.
/// </summary>
public sealed class LinearAssignment
{
    private double[] _cost = [];
    private double[] _u = [], _v = [], _minv = [];
    private int[] _p = [], _way = [];
    private bool[] _used = [];

    /// <summary>
    /// Solves the assignment for a rows x cols cost matrix (row-major). Writes the matched column of each
    /// row into <paramref name="rowToCol"/> (-1 when unmatched) and returns the number of matches.
    /// </summary>
    public int Solve(ReadOnlySpan<double> cost, int rows, int cols, double costLimit, Span<int> rowToCol)
    {
        rowToCol[..rows].Fill(-1);
        if (rows == 0 || cols == 0) return 0;

        // Square matrix of size n = rows + cols: [real | row dummies; column dummies | zeros].
        int n = rows + cols;
        const double Forbidden = 1e9;
        EnsureCapacity(n);
        double half = costLimit / 2;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double c;
                if (i < rows && j < cols) c = cost[i * cols + j] > costLimit ? Forbidden : cost[i * cols + j];
                else if (i < rows) c = j - cols == i ? half : Forbidden;
                else if (j < cols) c = i - rows == j ? half : Forbidden;
                else c = 0;
                _cost[i * n + j] = c;
            }
        }
        Hungarian(n);
        int matches = 0;
        for (int j = 1; j <= n; j++)
        {
            int i = _p[j] - 1;
            int col = j - 1;
            if (i < rows && col < cols && cost[i * cols + col] <= costLimit)
            {
                rowToCol[i] = col;
                matches++;
            }
        }
        return matches;
    }

    /// <summary>Maximum-weight assignment on a rectangular matrix (weights ≥ 0); used by the evaluator.</summary>
    public int SolveMaxWeight(ReadOnlySpan<double> weight, int rows, int cols, Span<int> rowToCol)
    {
        rowToCol[..rows].Fill(-1);
        if (rows == 0 || cols == 0) return 0;
        int n = Math.Max(rows, cols);
        EnsureCapacity(n);
        double max = 0;
        for (int k = 0; k < rows * cols; k++) max = Math.Max(max, weight[k]);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                _cost[i * n + j] = i < rows && j < cols ? max - weight[i * cols + j] : max;
        Hungarian(n);
        int matches = 0;
        for (int j = 1; j <= n; j++)
        {
            int i = _p[j] - 1;
            if (i < rows && j - 1 < cols && weight[i * cols + j - 1] > 0)
            {
                rowToCol[i] = j - 1;
                matches++;
            }
        }
        return matches;
    }

    private void EnsureCapacity(int n)
    {
        if (_cost.Length < n * n) _cost = new double[n * n];
        if (_u.Length < n + 1)
        {
            _u = new double[n + 1]; _v = new double[n + 1]; _minv = new double[n + 1];
            _p = new int[n + 1]; _way = new int[n + 1]; _used = new bool[n + 1];
        }
    }

    // Kuhn-Munkres with row/column potentials on the square matrix _cost (n x n); 1-based internally.
    private void Hungarian(int n)
    {
        Array.Clear(_u, 0, n + 1);
        Array.Clear(_v, 0, n + 1);
        Array.Clear(_p, 0, n + 1);
        Array.Clear(_way, 0, n + 1);
        for (int i = 1; i <= n; i++)
        {
            _p[0] = i;
            int j0 = 0;
            Array.Fill(_minv, double.PositiveInfinity, 0, n + 1);
            Array.Clear(_used, 0, n + 1);
            do
            {
                _used[j0] = true;
                int i0 = _p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (_used[j]) continue;
                    double cur = _cost[(i0 - 1) * n + (j - 1)] - _u[i0] - _v[j];
                    if (cur < _minv[j]) { _minv[j] = cur; _way[j] = j0; }
                    if (_minv[j] < delta) { delta = _minv[j]; j1 = j; }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (_used[j]) { _u[_p[j]] += delta; _v[j] -= delta; }
                    else _minv[j] -= delta;
                }
                j0 = j1;
            } while (_p[j0] != 0);
            do
            {
                int j1 = _way[j0];
                _p[j0] = _p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
    }
}

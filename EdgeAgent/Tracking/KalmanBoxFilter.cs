namespace EdgeAgent.Tracking;

/// <summary>
/// Constant-velocity Kalman filter over the box state (cx, cy, aspect = w/h, h) and their velocities,
/// as in SORT/ByteTrack. Noise is proportional to the box height, so it is scale-free.
/// All matrices are plain row-major double arrays sized once per track; nothing allocates per update.
/// </summary>
public sealed class KalmanBoxFilter
{
    public const int StateSize = 8;
    private const double StdWeightPosition = 1.0 / 20;
    private const double StdWeightVelocity = 1.0 / 160;

    /// <summary>State mean: cx, cy, a, h, vcx, vcy, va, vh (pixels and pixels per frame).</summary>
    public double[] Mean { get; } = new double[StateSize];

    /// <summary>State covariance, 8x8 row-major.</summary>
    public double[] Covariance { get; } = new double[StateSize * StateSize];

    private readonly double[] _scratch = new double[StateSize * StateSize];
    private readonly double[] _gain = new double[StateSize * 4];

    public void Initiate(in BoundingBox box)
    {
        ToMeasurement(box, out double cx, out double cy, out double a, out double h);
        Array.Clear(Mean);
        Mean[0] = cx; Mean[1] = cy; Mean[2] = a; Mean[3] = h;
        Array.Clear(Covariance);
        Span<double> std =
        [
            2 * StdWeightPosition * h, 2 * StdWeightPosition * h, 1e-2, 2 * StdWeightPosition * h,
            10 * StdWeightVelocity * h, 10 * StdWeightVelocity * h, 1e-5, 10 * StdWeightVelocity * h,
        ];
        for (int i = 0; i < StateSize; i++) Covariance[i * StateSize + i] = std[i] * std[i];
    }

    /// <summary>Prediction step: x = F x, P = F P Fᵀ + Q, with F the constant-velocity transition for one frame.</summary>
    public void Predict()
    {
        double h = Mean[3];
        for (int i = 0; i < 4; i++) Mean[i] += Mean[i + 4];

        // P F^T: column j of F^T adds column j+4 to column j for j < 4.
        double[] p = Covariance;
        double[] t = _scratch;
        for (int r = 0; r < StateSize; r++)
        {
            for (int c = 0; c < StateSize; c++)
            {
                double v = p[r * StateSize + c];
                if (c < 4) v += p[r * StateSize + c + 4];
                t[r * StateSize + c] = v;
            }
        }
        // F (P F^T): row i adds row i+4 for i < 4.
        for (int r = 0; r < StateSize; r++)
        {
            for (int c = 0; c < StateSize; c++)
            {
                double v = t[r * StateSize + c];
                if (r < 4) v += t[(r + 4) * StateSize + c];
                p[r * StateSize + c] = v;
            }
        }
        double sp = StdWeightPosition * h, sv = StdWeightVelocity * h;
        p[0 * 9] += sp * sp; p[1 * 9] += sp * sp; p[2 * 9] += 1e-4; p[3 * 9] += sp * sp;
        p[4 * 9] += sv * sv; p[5 * 9] += sv * sv; p[6 * 9] += 1e-10; p[7 * 9] += sv * sv;
    }

    /// <summary>Correction step with a measured box: K = P Hᵀ S⁻¹, x += K (z − H x), P −= K H P.</summary>
    public void Update(in BoundingBox box)
    {
        ToMeasurement(box, out double cx, out double cy, out double a, out double h);
        double[] p = Covariance;
        double r = StdWeightPosition * Mean[3];
        Span<double> s = stackalloc double[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                s[i * 4 + j] = p[i * StateSize + j];
        s[0] += r * r; s[5] += r * r; s[10] += 1e-2; s[15] += r * r;

        Span<double> sInv = stackalloc double[16];
        Invert4(s, sInv);

        // K = P[:, 0:4] * S^-1 (8x4)
        for (int row = 0; row < StateSize; row++)
        {
            for (int c = 0; c < 4; c++)
            {
                double v = 0;
                for (int k = 0; k < 4; k++) v += p[row * StateSize + k] * sInv[k * 4 + c];
                _gain[row * 4 + c] = v;
            }
        }
        Span<double> innovation = [cx - Mean[0], cy - Mean[1], a - Mean[2], h - Mean[3]];
        for (int row = 0; row < StateSize; row++)
        {
            double v = 0;
            for (int k = 0; k < 4; k++) v += _gain[row * 4 + k] * innovation[k];
            Mean[row] += v;
        }
        // P -= K * (H P), where H P is the first four rows of P.
        for (int row = 0; row < StateSize; row++)
        {
            for (int c = 0; c < StateSize; c++)
            {
                double v = 0;
                for (int k = 0; k < 4; k++) v += _gain[row * 4 + k] * p[k * StateSize + c];
                _scratch[row * StateSize + c] = p[row * StateSize + c] - v;
            }
        }
        Array.Copy(_scratch, p, p.Length);
    }

    /// <summary>The box the current state describes.</summary>
    public BoundingBox CurrentBox
    {
        get
        {
            double w = Mean[2] * Mean[3], h = Mean[3];
            return new BoundingBox((float)(Mean[0] - w / 2), (float)(Mean[1] - h / 2), (float)(Mean[0] + w / 2), (float)(Mean[1] + h / 2));
        }
    }

    private static void ToMeasurement(in BoundingBox box, out double cx, out double cy, out double a, out double h)
    {
        h = Math.Max(box.Height, 1e-3f);
        cx = (box.X1 + box.X2) * 0.5;
        cy = (box.Y1 + box.Y2) * 0.5;
        a = box.Width / h;
    }

    /// <summary>Inverse of a symmetric positive-definite 4x4 matrix by Gauss-Jordan elimination with pivoting.</summary>
    private static void Invert4(ReadOnlySpan<double> m, Span<double> inv)
    {
        Span<double> a = stackalloc double[32];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                a[i * 8 + j] = m[i * 4 + j];
                a[i * 8 + 4 + j] = i == j ? 1 : 0;
            }
        }
        for (int col = 0; col < 4; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < 4; r++)
                if (Math.Abs(a[r * 8 + col]) > Math.Abs(a[pivot * 8 + col])) pivot = r;
            if (pivot != col)
                for (int k = 0; k < 8; k++) (a[col * 8 + k], a[pivot * 8 + k]) = (a[pivot * 8 + k], a[col * 8 + k]);
            double d = a[col * 8 + col];
            for (int k = 0; k < 8; k++) a[col * 8 + k] /= d;
            for (int r = 0; r < 4; r++)
            {
                if (r == col) continue;
                double f = a[r * 8 + col];
                if (f == 0) continue;
                for (int k = 0; k < 8; k++) a[r * 8 + k] -= f * a[col * 8 + k];
            }
        }
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                inv[i * 4 + j] = a[i * 8 + 4 + j];
    }
}

using System.Text.Json;
using EdgeAgent.Tracking;

namespace EdgeAgent.Tests.Tracking;

public class KalmanBoxFilterTests
{
    private sealed record Step(float[] Measured, double[] PredictedMean, double[] UpdatedMean, double[] UpdatedCovarianceDiagonal);
    private sealed record Golden(float[] Initial, Step[] Steps);

    [Test]
    public void PredictAndUpdate_MatchTextbookFilter_WithinTolerance()
    {
        // Golden values from Data/make_kalman_golden.py: a generic-matrix Kalman filter with the same noise model.
        var golden = JsonSerializer.Deserialize<Golden>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tracking", "Data", "kalman_golden.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var kf = new KalmanBoxFilter();
        kf.Initiate(Box(golden.Initial));
        foreach (Step step in golden.Steps)
        {
            kf.Predict();
            Assert.That(kf.Mean, Is.EqualTo(step.PredictedMean).Within(1e-6), "predicted mean");
            kf.Update(Box(step.Measured));
            Assert.That(kf.Mean, Is.EqualTo(step.UpdatedMean).Within(1e-6), "updated mean");
            double[] diagonal = Enumerable.Range(0, 8).Select(i => kf.Covariance[i * 8 + i]).ToArray();
            Assert.That(diagonal, Is.EqualTo(step.UpdatedCovarianceDiagonal).Within(1e-6), "updated covariance");
        }
    }

    [Test]
    public void Predict_AfterSteadyMotion_ExtrapolatesVelocity()
    {
        var kf = new KalmanBoxFilter();
        kf.Initiate(new BoundingBox(0, 0, 20, 60));
        for (int i = 1; i <= 15; i++)
        {
            kf.Predict();
            kf.Update(new BoundingBox(5 * i, 0, 5 * i + 20, 60));
        }
        kf.Predict();
        Assert.That(kf.CurrentBox.CenterX, Is.EqualTo(5 * 16 + 10).Within(1.0), "the box keeps moving 5 px per frame");
        Assert.That(kf.CurrentBox.Height, Is.EqualTo(60).Within(0.5));
    }

    private static BoundingBox Box(float[] v) => new(v[0], v[1], v[2], v[3]);
}

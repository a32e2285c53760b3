using System.Globalization;

namespace EdgeAgent.Evaluation;

/// <summary>CLEAR-MOT and identity metrics of one sequence.</summary>
public sealed record MotMetrics(
    int GroundTruthBoxes, int Matches, int FalsePositives, int FalseNegatives, int IdSwitches,
    int IdTruePositives, int IdFalsePositives, int IdFalseNegatives, int GroundTruthIds, int MostlyTracked, int Fragmentations)
{
    /// <summary>MOTA = 1 − (FN + FP + IDSW) / GT.</summary>
    public double Mota => GroundTruthBoxes == 0 ? 0 : 1.0 - (double)(FalseNegatives + FalsePositives + IdSwitches) / GroundTruthBoxes;

    /// <summary>IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN).</summary>
    public double Idf1 => IdTruePositives == 0 ? 0 : 2.0 * IdTruePositives / (2.0 * IdTruePositives + IdFalsePositives + IdFalseNegatives);

    public double Recall => GroundTruthBoxes == 0 ? 0 : (double)Matches / GroundTruthBoxes;
    public double Precision => Matches + FalsePositives == 0 ? 0 : (double)Matches / (Matches + FalsePositives);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MOTA {Mota:0.000}  IDF1 {Idf1:0.000}  IDsw {IdSwitches}  FP {FalsePositives}  FN {FalseNegatives}  recall {Recall:0.000}  precision {Precision:0.000}  MT {MostlyTracked}/{GroundTruthIds}  frag {Fragmentations}");
}

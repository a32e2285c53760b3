using System.Globalization;
using System.Text;
using EdgeAgent.Tracking;

namespace EdgeAgent.Evaluation;

/// <summary>Reads and writes the MOTChallenge text format (<c>frame,id,x,y,w,h,score|flag,…</c>).</summary>
public static class MotFile
{
    /// <summary>
    /// Reads a ground-truth or result file. For ground truth, column 7 is the consider flag; for results, column 7 is the
    /// score and a row is always considered. Columns 8–9 are the floor position (metres) when present (not -1, -1).
    /// </summary>
    public static List<MotRow> Read(string path, bool isGroundTruth)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"MOT file not found: {path}", path);
        var rows = new List<MotRow>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] f = line.Split(',');
            if (f.Length < 6)
                throw new FormatException($"{path}:{lineNo}: expected at least 6 comma-separated fields, got {f.Length}");
            try
            {
                int frame = int.Parse(f[0], CultureInfo.InvariantCulture);
                int id = (int)double.Parse(f[1], CultureInfo.InvariantCulture);
                float x = Parse(f[2]), y = Parse(f[3]), w = Parse(f[4]), h = Parse(f[5]);
                float col7 = f.Length > 6 ? Parse(f[6]) : 1f;
                bool considered = !isGroundTruth || col7 != 0f;
                // World columns: the ground truth's floor position; in a result, the agent's (-1, -1 when it has none).
                double? fx = f.Length > 8 ? double.Parse(f[7], CultureInfo.InvariantCulture) : null;
                double? fy = f.Length > 8 ? double.Parse(f[8], CultureInfo.InvariantCulture) : null;
                if (!isGroundTruth && fx == -1 && fy == -1) (fx, fy) = (null, null);
                rows.Add(new MotRow(frame, id, BoundingBox.FromTlwh(x, y, w, h), isGroundTruth ? 1f : col7, considered, fx, fy));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}:{lineNo}: {e.Message}", e);
            }
        }
        return rows;
    }

    /// <summary>
    /// Formats one result row: <c>frame,id,x,y,w,h,score,wx,wy,-1</c>, with the floor position (metres) in the world columns,
    /// or <c>-1,-1</c> when there is none (an uncalibrated camera, detections).
    /// </summary>
    public static string Format(int frame, int id, in BoundingBox box, float score, double worldX = double.NaN, double worldY = double.NaN)
    {
        var sb = new StringBuilder(64);
        sb.Append(frame).Append(',').Append(id).Append(',')
          .Append(box.X1.ToString("0.##", CultureInfo.InvariantCulture)).Append(',')
          .Append(box.Y1.ToString("0.##", CultureInfo.InvariantCulture)).Append(',')
          .Append(box.Width.ToString("0.##", CultureInfo.InvariantCulture)).Append(',')
          .Append(box.Height.ToString("0.##", CultureInfo.InvariantCulture)).Append(',')
          .Append(score.ToString("0.###", CultureInfo.InvariantCulture)).Append(',');
        if (double.IsFinite(worldX) && double.IsFinite(worldY))
            sb.Append(worldX.ToString("0.###", CultureInfo.InvariantCulture)).Append(',').Append(worldY.ToString("0.###", CultureInfo.InvariantCulture)).Append(",-1");
        else
            sb.Append("-1,-1,-1");
        return sb.ToString();
    }

    private static float Parse(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}

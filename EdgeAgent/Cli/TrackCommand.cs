using EdgeAgent.Configuration;
using EdgeAgent.Evaluation;
using EdgeAgent.Tracking;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent track --detections FILE [--config FILE] [--gt FILE] [--mot-out FILE] [--frame-rate F]</c>:
/// runs only the tracker over detections in MOTChallenge det format (<c>frame,-1,x,y,w,h,score</c>, as written by
/// <c>replay --detections-out</c>), the way MOTChallenge compares trackers on shared detections.
/// </summary>
public static class TrackCommand
{
    public static int Run(CliArgs args)
    {
        string detPath = args.Get("detections") ?? throw new CliException("track needs --detections FILE");
        string? config = args.Get("config");
        string? gtPath = args.Get("gt");
        string? motOut = args.Get("mot-out");
        double frameRate = double.Parse(args.Get("frame-rate") ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        AgentSettings settings = SettingsLoader.Bind(SettingsLoader.Build(config));
        SettingsValidator.ThrowIfInvalid(settings, requireCameras: false);

        var byFrame = MotFile.Read(detPath, isGroundTruth: false).GroupBy(r => r.Frame).ToDictionary(g => g.Key, g => g.Select(r => new Detection(r.Box, r.Score)).ToArray());
        int last = byFrame.Keys.DefaultIfEmpty(0).Max();
        var tracker = new ByteTracker(settings.Tracking, frameRate);
        var rows = new List<MotRow>();
        for (int f = 1; f <= last; f++)
            foreach (Track t in tracker.Update(byFrame.GetValueOrDefault(f) ?? []))
                rows.Add(new MotRow(f, t.Id, t.Box, t.Score, true));
        if (motOut is not null)
            File.WriteAllLines(motOut, rows.Select(r => MotFile.Format(r.Frame, r.Id, r.Box, r.Score)));
        Console.WriteLine($"track: {last} frames, {rows.Select(r => r.Id).Distinct().Count()} ids");
        if (gtPath is not null) Console.WriteLine(MotEvaluator.Evaluate(MotFile.Read(gtPath, true), rows));
        return ExitCodes.Ok;
    }
}

using EdgeAgent.Evaluation;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent evaluate --gt FILE --results FILE</c>: CLEAR-MOT and IDF1 of any MOTChallenge result file, and — when both
/// files carry floor positions in their world columns (the agent's tracks from a calibrated camera, PETS09-S2L1's ground
/// truth) — the median floor-position error.
/// </summary>
public static class EvaluateCommand
{
    public static int Run(CliArgs args)
    {
        string gt = args.Get("gt") ?? throw new CliException("evaluate needs --gt FILE");
        string res = args.Get("results") ?? throw new CliException("evaluate needs --results FILE");
        List<MotRow> truth = MotFile.Read(gt, true), results = MotFile.Read(res, false);
        Console.WriteLine(MotEvaluator.Evaluate(truth, results));
        if (results.Any(r => r.FloorX is not null) && truth.Any(r => r.FloorX is not null))
            Console.WriteLine(FloorErrorEvaluator.Evaluate(truth, results));
        return ExitCodes.Ok;
    }
}

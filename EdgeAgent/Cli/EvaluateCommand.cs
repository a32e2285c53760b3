using EdgeAgent.Evaluation;

using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary><c>edge-agent evaluate --gt FILE --results FILE</c>: CLEAR-MOT and IDF1 of any MOTChallenge result file.</summary>
public static class EvaluateCommand
{
    public static int Run(CliArgs args)
    {
        string gt = args.Get("gt") ?? throw new CliException("evaluate needs --gt FILE");
        string res = args.Get("results") ?? throw new CliException("evaluate needs --results FILE");
        args.RejectUnknown();
        MotMetrics m = MotEvaluator.Evaluate(MotFile.Read(gt, true), MotFile.Read(res, false));
        Console.WriteLine(m);
        return ExitCodes.Ok;
    }
}

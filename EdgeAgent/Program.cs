using EdgeAgent.Cli;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Logging;

// Dispatches the command line; composition is in Hosting/, each command in Cli/.
string command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
string[] rest = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[1..] : args;

using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

// Help and version answer before anything is loaded: a user's first commands.
if (args is ["--version"] or ["version"])
{
    Console.WriteLine($"edge-agent {EventDelivery.AgentVersion}");
    return ExitCodes.Ok;
}
if (args.Any(a => a is "--help" or "-h" or "help")) return Usage.Show(ExitCodes.Ok);

try
{
    return command switch
    {
        "run" => await AgentHost.RunAsync(new CliArgs(rest, new HashSet<string>()).GetOnly("config"), loggers),
        "replay" => await ReplayCommand.RunAsync(new CliArgs(rest, ReplayCommand.Flags), loggers, cancel.Token),
        "bench" => await BenchCommand.RunAsync(new CliArgs(rest, new HashSet<string>()), loggers, cancel.Token),
        "models" => await ModelsCommand.RunAsync(new CliArgs(rest, new HashSet<string>()), cancel.Token),
        "evaluate" => EvaluateCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "track" => TrackCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "roster" => RosterCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "fleet" => await FleetCommand.RunAsync(rest, cancel.Token),
        "check" => CheckCommand.Run(new CliArgs(rest, CheckCommand.Flags)),
        "outbox" => OutboxCommand.Run(new CliArgs(rest, new HashSet<string>())),
        "provision" => ProvisionCommand.Run(new CliArgs(rest, ProvisionCommand.Flags)),
        "sync-writer" => SyncWriterCommand.Run(new CliArgs(rest, new HashSet<string> { "verify-only" }), cancel.Token),
        "sync-bench" => await SyncBenchCommand.RunAsync(new CliArgs(rest, new HashSet<string>()), cancel.Token),
        _ => Usage.Unknown(command),
    };
}
catch (Exception e) when (ExitCodes.For(e) != ExitCodes.Failure)
{
    Console.Error.WriteLine($"edge-agent: {e.Message}{(e is UsageException ? $" ('edge-agent {command} --help' shows its usage)" : "")}");
    return ExitCodes.For(e);
}

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
if (args is ["--help"] or ["-h"] or ["help"]) return Usage.Show(ExitCodes.Ok);   // a command's own --help is the parser's

var invocation = new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false };
try
{
    System.CommandLine.RootCommand grammar = EdgeAgent.Cli.CommandLine.Build(loggers);
    if (!grammar.Subcommands.Any(c => c.Name == command)) return Usage.Unknown(command);
    System.CommandLine.ParseResult parsed = grammar.Parse([command, .. rest]);
    if (parsed.Errors.Count > 0) throw new CliException(string.Join(' ', parsed.Errors[0].Message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    return await parsed.InvokeAsync(invocation, cancel.Token);
}
catch (Exception e) when (ExitCodes.For(e) != ExitCodes.Failure)
{
    Console.Error.WriteLine($"edge-agent: {e.Message}{(e is UsageException ? $" ('edge-agent {command} --help' shows its usage)" : "")}");
    return ExitCodes.For(e);
}

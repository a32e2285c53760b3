using System.CommandLine;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>
/// The command-line grammar, on System.CommandLine: every command with its options (each described, so
/// <c>edge-agent &lt;command&gt; --help</c> lists them), the words a command takes first (<c>models pull</c>,
/// <c>outbox verify</c>, …), and the action that hands the parsed options to the command. Parsing errors — an unknown
/// command, option or word, a value missing — are the parser's; <see cref="Program"/> prints them in one line (exit 2).
/// </summary>
public static class CommandLine
{
    private sealed record Spec(string Name, string Description, string[] Words, (string Name, bool Flag, string Help)[] Options,
                               Func<CliArgs, CancellationToken, Task<int>> Run);

    private static (string, bool, string) Value(string name, string help) => (name, false, help);

    private static (string, bool, string) Flag(string name, string help) => (name, true, help);

    private static readonly (string, bool, string)[] Broker =
    [
        Value("host", "broker host name or IP address"), Value("port", "broker port (8883 with TLS, else 1883)"), Flag("tls", "TLS (implied by --ca or --cert)"),
        Value("ca", "PEM CA the broker's certificate must chain to (pinned)"), Value("cert", "client certificate (PEM)"), Value("key", "its private key (PEM)"),
        Value("tls-host", "name the broker's certificate must carry"), Value("username", "MQTT user name"), Value("password-file", "file holding the MQTT password"),
        Value("prefix", "topic prefix (default edgetracking)"),
    ];

    private static IEnumerable<Spec> Specs(ILoggerFactory loggers) =>
    [
        new("run", "run the configured cameras as a service (until stopped)", [], [Value("config", "configuration file")],
            (a, _) => AgentHost.RunAsync(a.Get("config"), loggers)),
        new("replay", "run the pipeline on a video file (the service's code)", [],
            [Value("input", "video file"), Value("config", "configuration file"), Value("camera", "the configured camera the input replaces"),
             Value("mot-out", "MOTChallenge tracks file"), Value("gt", "ground truth (MOTChallenge)"), Value("summary-out", "JSON summary"),
             Value("out", "output folder"), Value("events-out", "events file (JSON lines)"), Flag("realtime", "at the file's own rate, dropping frames like a live camera"),
             Value("frames", "stop after N frames"), Value("min-mota", "exit 6 below this MOTA"), Value("detections-out", "detections for 'track'"),
             Value("web", "serve the pages at this URL while replaying"), Flag("quiet", "no progress line")],
            (a, ct) => ReplayCommand.RunAsync(a, loggers, ct)),
        new("bench", "model-only and whole-pipeline frames per second, in one run", [],
            [Value("input", "video file"), Value("config", "configuration file"), Value("frames", "frames per round"), Value("rounds", "rounds"),
             Value("tracker-passes", "tracker passes"), Value("cameras", "run N live-paced cameras instead"), Value("seconds", "seconds of the --cameras run (60)")],
            (a, ct) => BenchCommand.RunAsync(a, loggers, ct)),
        new("models", "pull the manifest's models (verified by sha256) or verify them", ["pull", "verify"],
            [Value("from", "folder to copy from (else the manifest's URLs)"), Value("to", "models folder"), Value("model", "only this model"),
             Value("manifest", "manifest file")],
            ModelsCommand.RunAsync),
        new("evaluate", "MOTA/IDF1 of a tracks file against ground truth", [], [Value("gt", "ground truth"), Value("results", "tracks file")],
            (a, _) => Task.FromResult(EvaluateCommand.Run(a))),
        new("track", "re-run only the tracker on saved detections", [],
            [Value("detections", "detections file"), Value("config", "configuration file"), Value("gt", "ground truth"), Value("mot-out", "tracks file"),
             Value("frame-rate", "frames per second")],
            (a, _) => Task.FromResult(TrackCommand.Run(a))),
        new("roster", "the badge roster from a staff CSV (salted hashes only)", ["build"], [Value("csv", "staff CSV"), Value("out", "roster file")],
            (a, _) => Task.FromResult(RosterCommand.Run(a))),
        new("fleet", "signed desired states for the wards", ["keygen", "sign", "publish", "status"],
            [.. Broker, Value("out", "output"), Value("key", "signing key (sign) or client key (publish, status)"), Value("manifest", "manifest to sign"),
             Value("site", "site"), Value("ward", "one ward"), Value("wards", "wards, comma-separated"), Value("signed", "signed manifest"),
             Value("canary", "wards first"), Value("halt-failures", "halt after K canary failures"), Value("wait", "seconds to wait for reports")],
            FleetCommand.RunAsync),
        new("check", "refuse what the service would: configuration (3), models (4), cameras with --probe (5)", [],
            [Value("config", "configuration file"), Flag("probe", "open every camera and read a frame")],
            (a, _) => Task.FromResult(CheckCommand.Run(a))),
        new("provision", "the ward's configuration from an answers file, checked, then the service started", [],
            [Value("answers", "answers file (KEY=value)"), Value("out", "configuration to write"), Flag("probe", "open every camera first"),
             Flag("no-start", "do not enable or start the service")],
            (a, _) => Task.FromResult(ProvisionCommand.Run(a))),
        new("outbox", "check an outbox's files, or export what is readable", ["verify", "salvage"],
            [Value("dir", "outbox folder"), Value("config", "configuration naming it"), Value("from", "outbox or damaged-… folder"), Value("out", "JSON-lines file")],
            (a, _) => Task.FromResult(OutboxCommand.Run(a))),
        new("broker-acl", "a mosquitto ACL enforcing the hospital's topic-space model (infra/topic-spaces.json)", [],
            [Value("clients", "clients file (site, devices, bmsReaders, fleetOperators)"), Value("out", "ACL file to write (else standard output)")],
            (a, _) => Task.FromResult(BrokerAclCommand.Run(a))),
        new("sync-bench", "outbox and MQTT delivery figures (starts its own mosquitto)", [],
            [Value("events", "events"), Value("backlog", "backlog"), Value("dir", "working folder")],
            SyncBenchCommand.RunAsync),
        new("sync-writer", "power-loss workload and check (scripts/powerloss.sh)", [],
            [Value("dir", "outbox folder"), Value("accepted", "accepted-events file"), Flag("verify-only", "only check")],
            (a, ct) => Task.FromResult(SyncWriterCommand.Run(a, ct))),
    ];

    /// <summary>The whole grammar.</summary>
    public static RootCommand Build(ILoggerFactory loggers)
    {
        var root = new RootCommand("edge-agent — on-device person tracking for a hospital ward");
        foreach (Spec spec in Specs(loggers))
        {
            var command = new Command(spec.Name, spec.Description);
            var options = spec.Options.Select(o => (o.Name, o.Flag, Option: o.Flag
                ? (Option)new Option<bool>($"--{o.Name}") { Description = o.Help, Arity = ArgumentArity.Zero }
                : new Option<string>($"--{o.Name}") { Description = o.Help })).ToList();
            foreach (var o in options) command.Add(o.Option);
            Argument<string>? word = null;
            if (spec.Words.Length > 0)
            {
                word = new Argument<string>(spec.Name == "fleet" ? "action" : "verb") { Description = string.Join(" | ", spec.Words) };
                word.AcceptOnlyFromAmong(spec.Words);
                command.Add(word);
            }
            command.SetAction((ParseResult parse, CancellationToken ct) =>
            {
                var given = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var (name, flag, option) in options)
                    if (parse.GetResult(option) is { Implicit: false } result)
                        given[name] = flag ? null : result.GetValueOrDefault<string>();
                string[] words = word is null ? [] : [parse.GetValue(word)!];
                return spec.Run(new CliArgs(given, words), ct);
            });
            root.Add(command);
        }
        return root;
    }
}

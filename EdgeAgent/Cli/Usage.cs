using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>The command summary that <c>edge-agent help</c> and a wrong command print.</summary>
public static class Usage
{
    /// <summary>An unknown command: one line saying so, then the usage, on standard error (exit 2).</summary>
    public static int Unknown(string command)
    {
        Console.Error.WriteLine($"edge-agent: unknown command '{command}'");
        return Show(ExitCodes.Usage);
    }

    public static int Show(int code)
    {
        (code == ExitCodes.Ok ? Console.Out : Console.Error).WriteLine("""
            edge-agent — on-device person tracking for a hospital ward

              edge-agent [run] [--config FILE]       run the configured cameras as a service (until stopped)
              edge-agent replay --input VIDEO [--config FILE] [--camera ID] [--mot-out FILE] [--gt FILE] [--summary-out FILE]
                                [--events-out FILE] [--realtime] [--frames N] [--min-mota X] [--web URL] [--quiet]
              edge-agent bench --input VIDEO [--config FILE] [--frames N]
              edge-agent models pull [--from DIR] [--to DIR] [--model NAME] | models verify
              edge-agent evaluate --gt FILE --results FILE
              edge-agent roster build --csv FILE --out FILE   badge roster (salted hashes of badge ids; no names)
              edge-agent fleet keygen|sign|publish|status ...   signed desired states for the wards (see docs/fleet.md); publish/status take
                                --host H [--port P] [--tls] [--ca FILE] [--cert FILE --key FILE] [--tls-host NAME] [--username U --password-file F]
              edge-agent check --config FILE [--probe]   refuse what the service would: configuration (3), models (4), cameras with --probe (5)
              edge-agent provision --answers FILE [--out FILE] [--probe] [--no-start]   the ward's configuration from an answers file, checked, then the service started
              edge-agent outbox verify [--dir DIR | --config FILE]   check an outbox's files, changing nothing (exit 7 when events were lost)
              edge-agent outbox salvage --from DIR --out FILE   export every readable event of an outbox (or a damaged-… folder) as JSON lines
              edge-agent broker-acl --clients FILE [--out FILE]   a mosquitto ACL enforcing the hospital's topic-space model
              edge-agent sync-bench [--events N] [--backlog N] [--dir DIR]   outbox and MQTT delivery figures (starts its own mosquitto)
              edge-agent sync-writer --dir DIR --accepted FILE [--verify-only]   power-loss workload and check (scripts/powerloss.sh)
              edge-agent track --detections FILE [--config FILE] [--gt FILE] [--mot-out FILE] [--frame-rate F]

            edge-agent --version | --help | <command> --help

            exit codes: 0 ok, 1 failure, 2 usage, 3 invalid configuration, 4 model error, 5 capture error, 6 accuracy below floor, 7 events lost
            """);
        return code;
    }
}

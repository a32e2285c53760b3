using System.Security.Authentication;
using CloudSync.Mqtt;
using MQTTnet;
using MQTTnet.Exceptions;

namespace EdgeAgent.Cli;

/// <summary>
/// How <c>edge-agent fleet</c> reaches a broker, with the same transport options as a destination:
/// <c>--host H [--port P] [--tls] [--ca FILE] [--cert FILE --key FILE] [--tls-host NAME] [--username U --password-file FILE]</c>
/// (<c>--ca</c> or <c>--cert</c> imply <c>--tls</c>; the port defaults to 8883 with TLS, else 1883). A broker that
/// cannot be reached or refuses us is one line and exit 1, never a stack trace.
/// </summary>
public sealed class BrokerConnection
{
    private readonly MqttDestinationOptions _options;

    private BrokerConnection(MqttDestinationOptions options) => _options = options;

    public string Describe => $"{_options.Host}:{_options.Port}{(_options.UseTls ? " (TLS)" : "")}";

    /// <summary>Plain TCP to <paramref name="host"/>:<paramref name="port"/> (a test broker, the embedded demo broker).</summary>
    public static BrokerConnection Plain(string host, int port) => new(new MqttDestinationOptions { Name = "fleet", Host = host, Port = port });

    public static BrokerConnection From(CliArgs cli)
    {
        string host = cli.Get("host") ?? throw new CliException("--host is required");
        if (!HostName.IsValid(host)) throw new CliException($"--host: '{host}' is not a host name or IP address");
        string? ca = cli.Get("ca"), cert = cli.Get("cert"), key = cli.Get("key"), passwordFile = cli.Get("password-file");
        bool tls = cli.Has("tls") || ca is not null || cert is not null;
        foreach (var (flag, file) in new[] { ("--ca", ca), ("--cert", cert), ("--key", key), ("--password-file", passwordFile) })
            if (file is not null && !File.Exists(file)) throw new CliException($"{flag}: file '{file}' does not exist");
        if ((cert is null) != (key is null)) throw new CliException("--cert and --key go together (the client certificate and its private key, PEM)");
        var o = new MqttDestinationOptions
        {
            Name = "fleet", Host = host, Port = cli.GetInt("port") ?? (tls ? 8883 : 1883), UseTls = tls, CaFile = ca, ClientCertificateFile = cert,
            ClientKeyFile = key, TlsTargetHost = cli.Get("tls-host"), Username = cli.Get("username"),
            Password = passwordFile is null ? null : File.ReadAllText(passwordFile).TrimEnd('\r', '\n'),
            KeepAlive = TimeSpan.FromSeconds(15), PublishTimeout = TimeSpan.FromSeconds(10),
        };
        if (o.Port is < 1 or > 65535) throw new CliException($"--port: must be between 1 and 65535, got {o.Port}");
        return new BrokerConnection(o);
    }

    /// <summary>A connected client, or <see cref="BrokerUnreachableException"/> saying why in one line.</summary>
    public async Task<IMqttClient> ConnectAsync(CancellationToken ct)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        try
        {
            MqttClientConnectResult result = await client.ConnectAsync(MqttDestination.OperatorOptions(_options, $"fleet-{Guid.NewGuid():N}"), ct);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new BrokerUnreachableException($"broker {Describe} refused the connection: {result.ResultCode} {result.ReasonString}");
            return client;
        }
        catch (Exception e) when (e is MqttCommunicationException or AuthenticationException or IOException or System.Net.Sockets.SocketException
                                   or OperationCanceledException && !ct.IsCancellationRequested)
        {
            client.Dispose();
            string why = e is MQTTnet.Adapter.MqttConnectingFailedException failed ? $"refused the connection ({failed.Message})" : $"cannot be reached: {Reason(e)}";
            throw new BrokerUnreachableException($"broker {Describe} {why}");
        }
        catch (BrokerUnreachableException)
        {
            client.Dispose();
            throw;
        }
    }

    private static string Reason(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is AuthenticationException or System.Net.Sockets.SocketException) return x.Message;
        return e.Message;
    }
}

/// <summary>The broker an operator command needs could not be reached or refused us: one line, exit 1.</summary>
public sealed class BrokerUnreachableException(string message) : Exception(message);

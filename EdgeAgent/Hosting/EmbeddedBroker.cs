using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace EdgeAgent.Hosting;

/// <summary>
/// The demo default: with no destination configured, a small MQTT broker (MQTTnet.Server) on localhost so events can be
/// watched with <c>mosquitto_sub -h 127.0.0.1 -p PORT -i watcher -t 'edgetracking/#' -v</c> (MQTT 3.1.1 clients need an id here). Not for production: no TLS, no
/// authentication, loopback only, sessions in memory.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;

    private EmbeddedBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts the broker, or returns null (logged) when the port is taken — the demo goes on without it.</summary>
    public static async Task<EmbeddedBroker?> TryStartAsync(int port, ILogger logger)
    {
        try
        {
            using (var probe = new TcpListener(IPAddress.Loopback, port)) { probe.Start(); probe.Stop(); }
        }
        catch (SocketException e)
        {
            HostingLog.EmbeddedBrokerSkipped(logger, port, e.Message);
            return null;
        }
        MqttServerOptions options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port)
            .WithPersistentSessions().Build();
        MqttServer server = new MqttServerFactory().CreateMqttServer(options);
        // mosquitto_sub and other simple clients connect with an empty client id; give them one instead of refusing.
        server.ValidatingConnectionAsync += e =>
        {
            if (string.IsNullOrEmpty(e.ClientId)) e.AssignedClientIdentifier = $"watcher-{Guid.NewGuid():N}";
            return Task.CompletedTask;
        };
        await server.StartAsync().ConfigureAwait(false);
        HostingLog.EmbeddedBrokerStarted(logger, port);
        return new EmbeddedBroker(server, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
    }
}

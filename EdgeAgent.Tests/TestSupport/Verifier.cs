using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The oracle at the far end: a subscriber with a persistent session that keeps reconnecting, recording every message
/// (topic, retained flag, payload) and the <c>seq</c> of every event it saw.
/// </summary>
public sealed class Verifier : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly int _port;
    private readonly string _filter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ConcurrentQueue<(string Topic, bool Retained, string Payload)> Messages { get; } = new();

    /// <summary>When each event arrived (Environment.TickCount64), by its <c>seq</c>; the first arrival of a duplicate counts.</summary>
    public ConcurrentDictionary<long, long> EventArrivals { get; } = new();

    public Verifier(int port, string filter = "edgetracking/#", string? clientId = null)
    {
        _port = port;
        _filter = filter;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            string payload = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            Messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Retain, payload));
            if (e.ApplicationMessage.Topic.Contains("/events/", StringComparison.Ordinal)
                && JsonDocument.Parse(payload).RootElement.TryGetProperty("seq", out JsonElement seq))
                EventArrivals.TryAdd(seq.GetInt64(), Environment.TickCount64);
            return Task.CompletedTask;
        };
        ClientId = clientId ?? $"verifier-{Guid.NewGuid():N}";
        _loop = Task.Run(LoopAsync);
    }

    public string ClientId { get; }

    public bool Connected => _client.IsConnected;

    /// <summary>The <c>seq</c> of every event received on an events topic (duplicates included).</summary>
    public List<long> EventSeqs() => Messages.Where(m => m.Topic.Contains("/events/", StringComparison.Ordinal))
        .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("seq").GetInt64()).ToList();

    public async Task WaitUntilAsync(Func<Verifier, bool> condition, TimeSpan timeout, string what, Func<string>? context = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition(this))
        {
            if (clock.Elapsed > timeout) Assert.Fail($"timed out after {timeout} waiting until {what}{(context is null ? "" : $"; {context()}")}");
            await Task.Delay(50);
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId(ClientId)
                        .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanSession(false).WithSessionExpiryInterval(3600).Build();
                    using var t = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    var result = await _client.ConnectAsync(options, t.Token);
                    if (!result.IsSessionPresent)
                        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), t.Token);
                }
            }
            catch (Exception)
            {
                // Not connected (yet, or any more): try again. A connect cut short by the disposal is no failure either —
                // the broker may be gone already (an agent's embedded one ends with its replay).
            }
            try { await Task.Delay(200, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        try { if (_client.IsConnected) await _client.DisconnectAsync(); } catch (Exception) { }
        _client.Dispose();
    }
}

using System.Security.Cryptography.X509Certificates;
using CloudSync.Outbox;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace CloudSync.Mqtt;

/// <summary>
/// Delivers the outbox to one MQTT broker, at least once and in order: QoS 1 with a bounded in-flight window (within the
/// broker's Receive Maximum), a timeout on every publish, the cursor moved only past messages the broker acknowledged
/// (one outbox commit per batch). A supervisor loop (MQTTnet
/// 5 has no managed client) connects with a persistent session, a last will <c>offline</c> and a retained
/// <c>online</c>, reconnects with exponential backoff and jitter, and treats an unanswered publish or ping as a dead
/// (black-holed) link. A message too large goes to the dead-letter collection; a broker that refuses our messages
/// (not authorised) raises an alarm and is retried slowly, keeping every message.
/// </summary>
public sealed class MqttDestination
{
    private readonly MqttDestinationOptions _o;
    private readonly Outbox.Outbox _outbox;
    private readonly TopicScheme _topics;
    private readonly string _clientId;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private int _window = 1;
    private long _lastReport;   // MaxInFlight, capped by the broker's Receive Maximum at each connect

    public MqttDestination(MqttDestinationOptions options, Outbox.Outbox outbox, TopicScheme topics, string deviceId, ILogger logger)
    {
        _o = options;
        _outbox = outbox;
        _topics = topics;
        _clientId = options.ClientId.Length > 0 ? options.ClientId : $"edge-{deviceId}";
        _logger = logger;
        Health = new DestinationHealth(options.Name);
    }

    public DestinationHealth Health { get; }

    /// <summary>New messages are in the outbox (called after each append; cheap, never blocks).</summary>
    public void Notify()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>Runs until cancelled; then publishes the retained status <c>stopped</c> and disconnects cleanly.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new ReconnectBackoff(_o.ReconnectInitialDelay, _o.ReconnectMaxDelay, jitter: 0.2);
        while (!ct.IsCancellationRequested)
        {
            using IMqttClient client = new MqttClientFactory().CreateMqttClient();
            try
            {
                MqttClientConnectResult result = await client.ConnectAsync(BuildOptions(), ct).ConfigureAwait(false);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    Health.Alarm = $"connect refused: {result.ResultCode}";
                    MqttLog.ConnectRefused(_logger, _o.Name, result.ResultCode.ToString());
                }
                else
                {
                    Health.CountConnect();
                    Health.Connected = true;
                    Health.Alarm = null;
                    backoff.Reset();
                    MqttLog.Connected(_logger, _o.Name, _o.Host, _o.Port, result.IsSessionPresent);
                    await PublishStatusAsync(client, "online", ct).ConfigureAwait(false);
                    await PublishReportAsync(client, ct).ConfigureAwait(false);   // what was dropped while we were away
                    int receiveMaximum = result.ReceiveMaximum is > 0 and var rm ? rm : int.MaxValue;
                    _window = Math.Max(1, Math.Min(_o.MaxInFlight, receiveMaximum));
                    await DeliverAsync(client, _o.BatchSize, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await StopAsync(client).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or TimeoutException or IOException
                                      or System.Net.Sockets.SocketException or DeadLinkException or InvalidOperationException)
            {
                if (Health.Connected) Health.CountDeadLink();   // a connection that was up failed: unanswered publish or ping, or a lost socket
                MqttLog.Disconnected(_logger, _o.Name, e.Message);
            }
            finally
            {
                Health.Connected = false;
            }
            if (ct.IsCancellationRequested) break;
            try { await Task.Delay(backoff.NextDelay(), ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    // Publishes what the outbox holds for this destination until the link fails; waits for new messages when idle and
    // pings then, so a link that went silent is found within 1.5 × keep-alive even with nothing to send.
    private async Task DeliverAsync(IMqttClient client, int batchSize, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (Environment.TickCount64 - _lastReport > 60_000) await PublishReportAsync(client, ct).ConfigureAwait(false);
            IReadOnlyList<OutboxMessage> batch = _outbox.Peek(_o.Name, batchSize);
            if (batch.Count == 0)
            {
                if (!await _wake.WaitAsync(_o.KeepAlive / 2, ct).ConfigureAwait(false)) await PingAsync(client, ct).ConfigureAwait(false);
                continue;
            }
            int oversize = -1;
            for (int i = 0; i < batch.Count && oversize < 0; i++)
                if (batch[i].Payload.Length > _o.MaxMessageBytes) oversize = i;
            IReadOnlyList<OutboxMessage> send = oversize < 0 ? batch : batch.Take(oversize).ToList();
            if (send.Count > 0 && !await PublishAsync(client, send, ct).ConfigureAwait(false))
            {
                await Task.Delay(_o.RefusedRetryInterval, ct).ConfigureAwait(false);   // refused: keep the messages, retry slowly
                continue;
            }
            if (oversize >= 0)
            {
                OutboxMessage poison = batch[oversize];
                _outbox.DeadLetter(_o.Name, poison, $"{poison.Payload.Length} bytes, more than MaxMessageBytes {_o.MaxMessageBytes}");
                Health.CountDeadLetter();
                MqttLog.DeadLettered(_logger, _o.Name, poison.Seq, poison.Type, "too large");
            }
        }
    }

    /// <summary>
    /// Publishes a batch in order with up to <see cref="MqttDestinationOptions.MaxInFlight"/> QoS 1 messages awaiting
    /// their PUBACK, then acknowledges the longest prefix the broker accepted in one outbox commit. A window above 1
    /// pays only against a broker that sends its PUBACKs without Nagle's delay (mosquitto: <c>set_tcp_nodelay true</c>);
    /// against one that does not, two outstanding PUBACKs wait on delayed TCP acknowledgements and the rate collapses
    /// (measured: 10k/s at 1, 250/s at 2), which is why the default is 1.
    /// </summary>
    private async Task<bool> PublishAsync(IMqttClient client, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var codes = new MqttClientPublishReasonCode[messages.Count];
        int window = _window, next = 0, sent = 0;
        var inFlight = new Queue<Task<MqttClientPublishReasonCode>>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (sent < messages.Count)
            {
                while (next < messages.Count && inFlight.Count < window) inFlight.Enqueue(SendOneAsync(client, messages[next++], timeout.Token));
                timeout.CancelAfter(_o.PublishTimeout);   // the oldest message in flight has this long for its PUBACK
                codes[sent] = await inFlight.Dequeue().ConfigureAwait(false);
                if (codes[sent++] is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)) break;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Acknowledge what did arrive before the link went silent, then report the link dead.
            AcknowledgePrefix(messages, codes.Take(sent).ToArray());
            throw new DeadLinkException($"no PUBACK within {_o.PublishTimeout}");
        }
        finally
        {
            // Anything still in flight after a refusal is re-sent later (at least once): observe it so nothing is left unobserved.
            timeout.Cancel();
            foreach (var t in inFlight) _ = t.ContinueWith(static x => _ = x.Exception, TaskScheduler.Default);
        }
        codes = codes.Take(sent).ToArray();
        int accepted = AcknowledgePrefix(messages, codes);
        if (accepted == messages.Count) return true;
        MqttClientPublishReasonCode code = codes[accepted];
        OutboxMessage failed = messages[accepted];
        if (code is MqttClientPublishReasonCode.NotAuthorized)
        {
            Health.CountRefusal();
            Health.Alarm = $"the broker refuses our messages ({code}); keeping them and retrying every {_o.RefusedRetryInterval}";
            MqttLog.Refused(_logger, _o.Name, code.ToString(), _o.RefusedRetryInterval);
            return false;
        }
        if (code is MqttClientPublishReasonCode.PayloadFormatInvalid or MqttClientPublishReasonCode.TopicNameInvalid or MqttClientPublishReasonCode.QuotaExceeded)
        {
            _outbox.DeadLetter(_o.Name, failed, code.ToString());
            Health.CountDeadLetter();
            MqttLog.DeadLettered(_logger, _o.Name, failed.Seq, failed.Type, code.ToString());
            return true;
        }
        throw new DeadLinkException($"publish failed: {code}");
    }

    private int AcknowledgePrefix(IReadOnlyList<OutboxMessage> messages, MqttClientPublishReasonCode[] codes)
    {
        int n = 0;
        while (n < codes.Length && codes[n] is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers) n++;
        if (n > 0)
        {
            _outbox.Acknowledge(_o.Name, messages[n - 1].Seq);
            Health.CountPublished(n);
            Health.Alarm = null;
        }
        return n;
    }

    private async Task<MqttClientPublishReasonCode> SendOneAsync(IMqttClient client, OutboxMessage m, CancellationToken ct)
    {
        MqttClientPublishResult result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_topics.Events(m.Type)).WithPayload(m.Payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json").Build(), ct).ConfigureAwait(false);
        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)) return result.ReasonCode;
        if (_o.RetainOccupancy && _topics.OccupancyTopicOf(m.Type, m.Payload) is { } retained)
        {
            result = await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(retained).WithPayload(m.Payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag()
                .WithContentType("application/json").Build(), ct).ConfigureAwait(false);
        }
        return result.ReasonCode;
    }

    private async Task PingAsync(IMqttClient client, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_o.KeepAlive);
        bool alive;
        try { alive = await client.TryPingAsync(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { alive = false; }
        if (!alive) throw new DeadLinkException($"no ping response within {_o.KeepAlive}");
    }

    /// <summary>
    /// The outbox's counts, retained, on every connect and every minute: what is pending for this destination and what
    /// left through a counted door (TTL, quota, dead letter) — so the far side learns of losses when the link returns.
    /// </summary>
    private async Task PublishReportAsync(IMqttClient client, CancellationToken ct)
    {
        OutboxStats stats = _outbox.Stats();
        string json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["lastSeq"] = stats.LastSeq,
            ["pending"] = stats.Pending.GetValueOrDefault(_o.Name),
            ["dropped"] = stats.Dropped,
            ["deadLetters"] = stats.DeadLetters,
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_o.PublishTimeout);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_topics.OutboxReport).WithPayload(json)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().WithContentType("application/json").Build(), timeout.Token).ConfigureAwait(false);
        _lastReport = Environment.TickCount64;
    }

    private async Task PublishStatusAsync(IMqttClient client, string status, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_o.PublishTimeout);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_topics.Status).WithPayload(status)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(), timeout.Token).ConfigureAwait(false);
    }

    // A clean stop: retained "stopped", then a normal DISCONNECT (so the broker does not send the will "offline").
    private async Task StopAsync(IMqttClient client)
    {
        if (!client.IsConnected) return;
        try
        {
            await PublishStatusAsync(client, "stopped", CancellationToken.None).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or IOException)
        {
            MqttLog.Disconnected(_logger, _o.Name, e.Message);
        }
    }

    private MqttClientOptions BuildOptions()
    {
        bool v5 = _o.ProtocolVersion == "5";
        MqttClientOptionsBuilder b = new MqttClientOptionsBuilder()
            .WithTcpServer(_o.Host, _o.Port)
            .WithClientId(_clientId)
            .WithProtocolVersion(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(_o.KeepAlive)
            .WithTimeout(_o.PublishTimeout)
            .WithWillTopic(_topics.Status).WithWillPayload("offline").WithWillRetain().WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        // On MQTT 5 a session without an expiry ends with the connection, and with it whatever the broker queued.
        if (v5) b = b.WithSessionExpiryInterval((uint)_o.SessionExpiry.TotalSeconds).WithWillDelayInterval((uint)_o.WillDelay.TotalSeconds);
        if (_o.Username is not null) b = b.WithCredentials(_o.Username, _o.Password);
        if (_o.UseTls)
        {
            b = b.WithTlsOptions(t =>
            {
                t.UseTls().WithTargetHost(_o.TlsTargetHost ?? _o.Host);
                if (_o.CaFile is not null)
                {
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPemFile(_o.CaFile);
                    t.WithTrustChain(chain);
                }
                if (_o.ClientCertificateFile is not null)
                {
                    using var pem = X509Certificate2.CreateFromPemFile(_o.ClientCertificateFile, _o.ClientKeyFile);
                    // SslStream needs the key in a form it can use on every platform: round-trip through PKCS#12.
                    t.WithClientCertificates([X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)]);
                }
            });
        }
        return b.Build();
    }

    private sealed class DeadLinkException(string message) : Exception(message);
}

using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Collections.Concurrent;
using CloudSync.Commands;
using CloudSync.Contract;
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
    private long _maxPacket = long.MaxValue;   // the broker's Maximum Packet Size (MQTT 5 CONNACK), if it announced one
    private long _lastReport;   // MaxInFlight, capped by the broker's Receive Maximum at each connect
    private readonly BrokerProfile _profile;
    private readonly SendRate _rate;
    private readonly Dictionary<string, string> _eventTopics = new(StringComparer.Ordinal);   // type → topic, read by the delivery loop only

    private readonly CommandIntake? _commands;
    private readonly ConcurrentQueue<CommandReply> _replies = new();
    private readonly ConcurrentDictionary<string, string> _retained = new(StringComparer.Ordinal);   // topic → latest payload
    private readonly ConcurrentQueue<string> _retainedChanged = new();

    public MqttDestination(MqttDestinationOptions options, Outbox.Outbox outbox, TopicScheme topics, string deviceId, ILogger logger, CommandIntake? commands = null,
                           TimeProvider? clock = null)
    {
        _commands = options.AcceptCommands ? commands : null;
        _o = options;
        _outbox = outbox;
        _topics = topics;
        _profile = BrokerProfile.Resolve(options);
        _clientId = _profile.ClientId(options, deviceId);
        _rate = new SendRate(_profile.MessagesPerSecond, _profile.BytesPerSecond, clock ?? TimeProvider.System);
        _logger = logger;
        Health = new DestinationHealth(options.Name) { MessagesPerSecondLimit = _rate.MessagesPerSecond, BytesPerSecondLimit = _rate.BytesPerSecond };
    }

    /// <summary>The client id this destination connects with (Event Grid: the certificate's subject).</summary>
    public string ClientId => _clientId;

    public DestinationHealth Health { get; }

    public TopicScheme Topics => _topics;

    /// <summary>New messages are in the outbox (called after each append; cheap, never blocks).</summary>
    public void Notify()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> retained on <paramref name="topic"/> (e.g. the fleet's reported state) as soon
    /// as connected, and again at every connect (a broker that lost its retained messages gets it back).
    /// </summary>
    public void PublishRetained(string topic, string payload)
    {
        _retained[topic] = payload;
        _retainedChanged.Enqueue(topic);
        Notify();
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
                MqttClientConnectResult result = await client.ConnectAsync(ClientOptions(_o, _topics, _clientId), ct).ConfigureAwait(false);
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
                    int receiveMaximum = result.ReceiveMaximum is > 0 and var rm ? rm : int.MaxValue;
                    _window = Math.Max(1, Math.Min(_o.MaxInFlight, receiveMaximum));
                    _maxPacket = result.MaximumPacketSize is > 0 and var mp ? (long)mp : long.MaxValue;
                    Health.SetLimits(_window, _maxPacket == long.MaxValue ? null : _maxPacket);
                    await PublishStatusAsync(client, "online", ct).ConfigureAwait(false);
                    await SubscribeAsync(client, ct).ConfigureAwait(false);
                    foreach (string topic in _retained.Keys) _retainedChanged.Enqueue(topic);
                    await PublishReportAsync(client, ct).ConfigureAwait(false);   // what was dropped while we were away
                    while (true)
                    {
                        await DeliverAsync(client, ct).ConfigureAwait(false);   // returns only when the broker refused a message
                        await Task.Delay(_o.RefusedRetryInterval, ct).ConfigureAwait(false);
                    }
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
                if (TlsFailure(e) is { } tls)
                {
                    // Its own alarm: a certificate problem does not heal by retrying, someone must act. Never a plaintext fallback.
                    Health.Alarm = $"TLS handshake with {_o.Host}:{_o.Port} failed: {tls}";
                    MqttLog.TlsFailed(_logger, _o.Name, tls);
                }
                else MqttLog.Disconnected(_logger, _o.Name, e.Message);
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

    /// <summary>
    /// Publishes what the outbox holds for this destination until the link fails, as one continuous stream: up to the
    /// window of QoS 1 messages await their PUBACK while the next ones are read, acknowledgements are awaited in order and
    /// the cursor is committed every <see cref="MqttDestinationOptions.BatchSize"/> messages and whenever the stream
    /// catches up. (Draining the window at every batch end cost a delayed-ACK stall per batch against a broker with
    /// Nagle's algorithm on — half the rate.) When idle it waits for new messages and pings, so a link that went silent
    /// is found within 1.5 × keep-alive even with nothing to send.
    /// </summary>
    private async Task DeliverAsync(IMqttClient client, CancellationToken ct)
    {
        var toSend = new Queue<OutboxMessage>();
        var inFlight = new Queue<(OutboxMessage Message, Task<MqttClientPublishReasonCode> Ack, long SentAt)>();
        var link = new AckCursor(this, _outbox.Cursor(_o.Name));
        long read = link.Acked;
        Task<IReadOnlyList<OutboxMessage>>? nextBatch = null;   // the next batch, read while this one is in flight
        bool moreToRead = true;
        using var sends = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // One watchdog per connection instead of a timer per publish: the oldest unacknowledged publish older than
        // PublishTimeout cancels every send, which the loop reports as a dead link.
        long oldestSentAt = 0, timeoutMs = (long)_o.PublishTimeout.TotalMilliseconds;
        using var watchdog = new Timer(_ =>
        {
            long since = Volatile.Read(ref oldestSentAt);
            if (since != 0 && Environment.TickCount64 - since > timeoutMs) { try { sends.Cancel(); } catch (ObjectDisposedException) { } }
        }, null, Math.Max(50, timeoutMs / 5), Math.Max(50, timeoutMs / 5));
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (Environment.TickCount64 - _lastReport > 60_000) await PublishReportAsync(client, ct).ConfigureAwait(false);
                while (_replies.TryDequeue(out CommandReply? reply)) await PublishReplyAsync(client, reply, ct).ConfigureAwait(false);
                if (!_retainedChanged.IsEmpty)   // rare (a fleet report); the loop runs once per message, so nothing is allocated otherwise
                {
                    var changed = new HashSet<string>(StringComparer.Ordinal);
                    while (_retainedChanged.TryDequeue(out string? topic)) changed.Add(topic);
                    foreach (string topic in changed) await PublishRetainedNowAsync(client, topic, _retained[topic], ct).ConfigureAwait(false);
                }
                if (toSend.Count == 0 && inFlight.Count < _window)
                {
                    IReadOnlyList<OutboxMessage> batch = nextBatch is not null ? await nextBatch.ConfigureAwait(false) : _outbox.Peek(_o.Name, _o.BatchSize, read);
                    nextBatch = null;
                    foreach (OutboxMessage m in batch) { toSend.Enqueue(m); read = m.Seq; }
                    moreToRead = batch.Count == _o.BatchSize;
                }
                if (moreToRead && nextBatch is null && toSend.Count > 0 && toSend.Count <= _o.BatchSize / 2)
                {
                    long from = read;   // a backlog: read the next batch from the outbox while this one goes out
                    nextBatch = Task.Run(() => _outbox.Peek(_o.Name, _o.BatchSize, from), ct);
                }
                while (toSend.Count > 0 && inFlight.Count < _window)
                {
                    OutboxMessage m = toSend.Peek();
                    if (TooLarge(m) is { } why)
                    {
                        if (inFlight.Count > 0) break;   // the cursor passes it only after everything before it
                        link.DeadLetter(toSend.Dequeue(), why, "too large");
                        continue;
                    }
                    if (_rate.Limited)
                    {
                        (int packets, long bytes) = Cost(m);
                        TimeSpan wait = _rate.Take(packets, bytes);
                        if (wait > TimeSpan.Zero)
                        {
                            if (inFlight.Count > 0 && inFlight.Peek().Ack.IsCompleted) break;   // take the acknowledgements first
                            await Task.Delay(wait, ct).ConfigureAwait(false);
                            continue;
                        }
                    }
                    long now = Environment.TickCount64;
                    if (inFlight.Count == 0) Volatile.Write(ref oldestSentAt, now);
                    inFlight.Enqueue((toSend.Dequeue(), SendOneAsync(client, m, sends.Token), now));
                }
                if (inFlight.Count == 0)
                {
                    Volatile.Write(ref oldestSentAt, 0);
                    link.Commit();
                    if (toSend.Count == 0 && nextBatch is null && !await _wake.WaitAsync(_o.KeepAlive / 2, ct).ConfigureAwait(false)) await PingAsync(client, ct).ConfigureAwait(false);
                    continue;
                }
                (OutboxMessage oldest, Task<MqttClientPublishReasonCode> ack, _) = inFlight.Peek();
                MqttClientPublishReasonCode code;
                try { code = await ack.ConfigureAwait(false); }
                catch (Exception e) when (e is TimeoutException or MqttCommunicationTimedOutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    throw new DeadLinkException($"no PUBACK within {_o.PublishTimeout}");
                }
                inFlight.Dequeue();
                Volatile.Write(ref oldestSentAt, inFlight.Count > 0 ? inFlight.Peek().SentAt : 0);
                if (code is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    link.Acknowledge(oldest.Seq);
                    if (link.Uncommitted >= _o.BatchSize || (toSend.Count == 0 && inFlight.Count == 0)) link.Commit();
                }
                else if (code is MqttClientPublishReasonCode.PayloadFormatInvalid or MqttClientPublishReasonCode.TopicNameInvalid or MqttClientPublishReasonCode.QuotaExceeded)
                {
                    link.DeadLetter(oldest, code.ToString(), code.ToString());   // a message this broker will never take; the rest go on
                }
                else if (code is MqttClientPublishReasonCode.NotAuthorized)
                {
                    // Refused: keep every message, raise the alarm and come back slowly, from the last acknowledged one.
                    link.Commit();
                    Health.CountRefusal();
                    Health.Alarm = $"the broker refuses our messages ({code}); keeping them and retrying every {_o.RefusedRetryInterval}";
                    MqttLog.Refused(_logger, _o.Name, code.ToString(), _o.RefusedRetryInterval);
                    await sends.CancelAsync().ConfigureAwait(false);
                    return;
                }
                else
                {
                    throw new DeadLinkException($"publish failed: {code}");
                }
            }
        }
        finally
        {
            // What was acknowledged before the link failed is committed; what is still in flight is sent again later
            // (at least once), and observed here so that nothing is left unobserved.
            await sends.CancelAsync().ConfigureAwait(false);
            foreach (var (_, t, _) in inFlight) _ = t.ContinueWith(static x => _ = x.Exception, TaskScheduler.Default);
            if (nextBatch is not null) _ = nextBatch.ContinueWith(static x => _ = x.Exception, TaskScheduler.Default);
            link.Commit();
        }
    }

    // Why a message can never be published here, or null: more than MaxMessageBytes, or a PUBLISH packet larger than the
    // broker's Maximum Packet Size (which would make the broker drop the connection, again at every retry).
    private string? TooLarge(OutboxMessage m)
    {
        if (m.Payload.Length > _o.MaxMessageBytes) return $"{m.Payload.Length} bytes, more than MaxMessageBytes {_o.MaxMessageBytes}";
        if (_maxPacket == long.MaxValue) return null;
        long packet = m.Payload.Length + PublishOverhead(EventTopic(m.Type));
        if (_o.RetainState && _topics.RetainedTopicOf(m.Type, m.Payload) is { } retained) packet = Math.Max(packet, m.Payload.Length + PublishOverhead(retained.Topic));
        return packet > _maxPacket ? $"a {packet}-byte packet, more than the broker's Maximum Packet Size {_maxPacket}" : null;
    }

    // The PUBLISH packets a message costs against the send rate and their bytes: the event, and its retained copy.
    private (int Packets, long Bytes) Cost(OutboxMessage m)
    {
        long bytes = m.Payload.Length + PublishOverhead(EventTopic(m.Type));
        if (_o.RetainState && EventTypes.Find(m.Type) is { Retained: not null } && _topics.RetainedTopicOf(m.Type, m.Payload) is { } retained)
            return (2, bytes + (retained.Clear ? 0 : m.Payload.Length) + PublishOverhead(retained.Topic));
        return (1, bytes);
    }

    private string EventTopic(string type)
    {
        if (!_eventTopics.TryGetValue(type, out string? topic)) _eventTopics[type] = topic = _topics.Events(type);
        return topic;
    }

    // Fixed header (≤ 5), topic (2 + UTF-8), packet id (2), properties (length + content type "application/json").
    private static long PublishOverhead(string topic) => 5 + 2 + System.Text.Encoding.UTF8.GetByteCount(topic) + 2 + 1 + 19;

    private static string? TlsFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is System.Security.Authentication.AuthenticationException) return x.Message;
        return null;
    }

    /// <summary>The destination's position in the outbox: acknowledged in memory, committed to the outbox in batches.</summary>
    private sealed class AckCursor(MqttDestination owner, long committed)
    {
        private long _committed = committed;
        public long Acked { get; private set; } = committed;
        public int Uncommitted { get; private set; }

        public void Acknowledge(long seq)
        {
            Acked = seq;
            Uncommitted++;
        }

        public void Commit()
        {
            if (Acked <= _committed) return;
            owner._outbox.Acknowledge(owner._o.Name, Acked);
            owner.Health.CountPublished(Uncommitted);
            owner.Health.Alarm = null;
            _committed = Acked;
            Uncommitted = 0;
        }

        /// <summary>Everything before <paramref name="m"/> is acknowledged: it goes to the dead letters and the cursor past it.</summary>
        public void DeadLetter(OutboxMessage m, string reason, string logReason)
        {
            Commit();
            owner._outbox.DeadLetter(owner._o.Name, m, reason);
            owner.Health.CountDeadLetter();
            MqttLog.DeadLettered(owner._logger, owner._o.Name, m.Seq, m.Type, logReason);
            Acked = _committed = m.Seq;
        }
    }

    private async Task<MqttClientPublishReasonCode> SendOneAsync(IMqttClient client, OutboxMessage m, CancellationToken ct)
    {
        MqttClientPublishResult result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(EventTopic(m.Type)).WithPayload(m.Payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json").Build(), ct).ConfigureAwait(false);
        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)) return result.ReasonCode;
        if (_o.RetainState && EventTypes.Find(m.Type) is { Retained: not null } && _topics.RetainedTopicOf(m.Type, m.Payload) is { } retained)
        {
            if (!retained.Clear && _profile.MaxRetainedBytes is { } most && m.Payload.Length > most)
            {
                Health.CountRetainedSkipped();   // the broker would refuse it (Event Grid: 64 KiB); the event itself went
                return result.ReasonCode;
            }
            // The state a late subscriber needs: the event itself, or an empty retained message that deletes it (a cleared alert).
            var state = new MqttApplicationMessageBuilder().WithTopic(retained.Topic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag();
            state = retained.Clear ? state.WithPayload(Array.Empty<byte>()) : state.WithPayload(m.Payload).WithContentType("application/json");
            result = await client.PublishAsync(state.Build(), ct).ConfigureAwait(false);
        }
        return result.ReasonCode;
    }

    // Commands and the desired state, on every connection (a broker that lost our session has no subscription left, and
    // each subscription delivers the retained desired state again: the device pulls it at every reconnect).
    private async Task SubscribeAsync(IMqttClient client, CancellationToken ct)
    {
        if (_commands is null) return;
        client.ApplicationMessageReceivedAsync += e =>
        {
            // On MQTTnet's receive loop: never publish from here (the PUBACK we would wait for is read by this loop).
            byte[] payload = e.ApplicationMessage.Payload.ToArray();
            if (e.ApplicationMessage.Topic == _topics.Commands)
            {
                CommandReply reply = _commands.Handle(payload);
                if (reply.Status == "rejected") MqttLog.CommandRejected(_logger, _o.Name, reply.Id ?? "-", reply.Reason ?? "");
                _replies.Enqueue(reply);
                Notify();
            }
            else if (e.ApplicationMessage.Topic == _topics.FleetDesired && payload.Length > 0)
            {
                _commands.ReceiveDesiredState(payload);
            }
            return Task.CompletedTask;
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_o.PublishTimeout);
        MqttClientSubscribeResult result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_topics.Commands, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_topics.FleetDesired, MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token).ConfigureAwait(false);
        foreach (MqttClientSubscribeResultItem item in result.Items)
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                Health.Alarm = $"the broker refuses our subscription to {item.TopicFilter.Topic} ({item.ResultCode}): no commands will arrive";
                MqttLog.SubscriptionRefused(_logger, _o.Name, item.TopicFilter.Topic, item.ResultCode.ToString());
            }
    }

    private async Task PublishRetainedNowAsync(IMqttClient client, string topic, string payload, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_o.PublishTimeout);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithContentType("application/json").Build(), timeout.Token).ConfigureAwait(false);
    }

    private async Task PublishReplyAsync(IMqttClient client, CommandReply reply, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_o.PublishTimeout);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_topics.CommandReplies).WithPayload(CommandIntake.ToJson(reply))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithContentType("application/json").Build(), timeout.Token).ConfigureAwait(false);
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
        string json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["lastSeq"] = stats.LastSeq,
            ["pending"] = stats.Pending.GetValueOrDefault(_o.Name),
            ["dropped"] = stats.Dropped,
            ["deadLetters"] = stats.DeadLetters,
            ["damage"] = stats.Damage.Select(d => new Dictionary<string, object?>
            {
                ["at"] = d.At.ToString("O"), ["file"] = d.File, ["what"] = d.What, ["lost"] = d.Lost, ["firstSeq"] = d.FirstSeq,
                ["lastSeq"] = d.LastSeq, ["resumedAt"] = d.ResumedAt,
            }).ToList(),
            ["inFlightWindow"] = _window,
            ["messagesPerSecondLimit"] = _rate.MessagesPerSecond,
            ["bytesPerSecondLimit"] = _rate.BytesPerSecond,
            ["drainSeconds"] = Health.ExpectedDrainTime(stats.Pending.GetValueOrDefault(_o.Name)) is { } eta ? Math.Round(eta.TotalSeconds, 1) : null,
            ["retainedSkipped"] = Health.RetainedSkipped,
            ["brokerMaxPacketBytes"] = _maxPacket == long.MaxValue ? null! : _maxPacket,
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

    /// <summary>The MQTTnet client options of every connection of a destination (also used by <c>sync-bench</c>).</summary>
    public static MqttClientOptions ClientOptions(MqttDestinationOptions o, TopicScheme topics, string clientId) =>
        Connection(o, clientId, topics).Build();

    /// <summary>
    /// A short-lived operator connection (<c>edge-agent fleet</c>) with the same transport as a destination — TLS with
    /// the pinned CA, client certificate, credentials — but a clean session and no will.
    /// </summary>
    public static MqttClientOptions OperatorOptions(MqttDestinationOptions o, string clientId) =>
        Connection(o, clientId, topics: null).WithCleanSession(true).Build();

    private static MqttClientOptionsBuilder Connection(MqttDestinationOptions o, string clientId, TopicScheme? topics)
    {
        bool v5 = o.ProtocolVersion == "5";
        BrokerProfile profile = BrokerProfile.Resolve(o);
        MqttClientOptionsBuilder b = new MqttClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(o.KeepAlive)
            .WithTimeout(o.PublishTimeout);
        if (topics is not null)
        {
            b = b.WithWillTopic(topics.Status).WithWillPayload("offline").WithWillRetain().WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            // On MQTT 5 a session without an expiry ends with the connection, and with it whatever the broker queued.
            if (v5) b = b.WithSessionExpiryInterval((uint)profile.SessionExpiry.TotalSeconds).WithWillDelayInterval((uint)o.WillDelay.TotalSeconds);
        }
        // Event Grid: the user name is the client's authentication name, the certificate's subject.
        if ((o.Username ?? (profile.Name == BrokerProfile.EventGrid ? profile.CertificateSubject : null)) is { } user) b = b.WithCredentials(user, o.Password);
        if (o.UseTls)
        {
            b = b.WithTlsOptions(t =>
            {
                // TLS 1.2 and 1.3 only, whatever the system's OpenSSL policy allows (IoT Hub and Event Grid require ≥ 1.2).
                t.UseTls().WithTargetHost(o.TlsTargetHost ?? o.Host).WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
                if (o.CaFile is not null)
                {
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPemFile(o.CaFile);
                    t.WithTrustChain(chain);
                }
                if (o.ClientCertificateFile is not null)
                {
                    using var pem = X509Certificate2.CreateFromPemFile(o.ClientCertificateFile, o.ClientKeyFile);
                    // SslStream needs the key in a form it can use on every platform: round-trip through PKCS#12.
                    t.WithClientCertificates([X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)]);
                }
            });
        }
        // One socket write per packet instead of header and payload apart (measured +15 % at QoS 1; some brokers, e.g.
        // AWS, even require it).
        return b.WithoutPacketFragmentation();
    }

    private sealed class DeadLinkException(string message) : Exception(message);
}

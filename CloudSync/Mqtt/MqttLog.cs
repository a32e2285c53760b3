using Microsoft.Extensions.Logging;

namespace CloudSync.Mqtt;

/// <summary>Log messages of the MQTT destinations (event ids 6000–6099).</summary>
internal static partial class MqttLog
{
    [LoggerMessage(6000, LogLevel.Information, "Destination {Name}: connected to {Host}:{Port} (session present {SessionPresent})")]
    public static partial void Connected(ILogger logger, string name, string host, int port, bool sessionPresent);

    [LoggerMessage(6001, LogLevel.Warning, "Destination {Name}: link lost, reconnecting with backoff: {Reason}")]
    public static partial void Disconnected(ILogger logger, string name, string reason);

    [LoggerMessage(6002, LogLevel.Error, "Destination {Name}: the broker refused the connection: {Code}")]
    public static partial void ConnectRefused(ILogger logger, string name, string code);

    [LoggerMessage(6003, LogLevel.Error, "Destination {Name}: the broker refuses our messages ({Code}); they are kept and retried every {Interval}")]
    public static partial void Refused(ILogger logger, string name, string code, TimeSpan interval);

    [LoggerMessage(6004, LogLevel.Warning, "Destination {Name}: message {Seq} ({Type}) moved to the dead letters: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string name, long seq, string type, string reason);

    [LoggerMessage(6005, LogLevel.Warning, "Destination {Name}: command {Id} rejected: {Reason}")]
    public static partial void CommandRejected(ILogger logger, string name, string id, string reason);

    [LoggerMessage(6006, LogLevel.Error, "Destination {Name}: the broker refuses our subscription to {Topic} ({Code}): no commands will arrive")]
    public static partial void SubscriptionRefused(ILogger logger, string name, string topic, string code);

    [LoggerMessage(6007, LogLevel.Error, "Destination {Name}: TLS handshake failed (no plaintext fallback): {Reason}")]
    public static partial void TlsFailed(ILogger logger, string name, string reason);
}

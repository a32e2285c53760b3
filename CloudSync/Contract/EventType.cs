namespace CloudSync.Contract;

/// <summary>
/// One type of event the agent publishes: its name (the envelope's <c>type</c> and the last level of its topic), its
/// delivery class (what the outbox evicts first and how long it keeps it), and — for state that a late subscriber needs —
/// the retained topic it keeps up to date. Every type is defined once, in <see cref="EventTypes"/>.
/// </summary>
public sealed record EventType(string Name, MessageClass Class, RetainedState? Retained = null)
{
    /// <summary>The topic below the ward's base: <c>events/&lt;type&gt;</c>.</summary>
    public string TopicSuffix => $"events/{Name}";

    public override string ToString() => Name;
}

/// <summary>
/// The retained topic an event type keeps current for subscribers that connect later: <see cref="Topic"/> below the
/// ward's base, its <c>{0}</c> filled from the payload's <see cref="Field"/> (a fixed topic when null). An event that
/// <see cref="Clears"/> the state publishes an empty retained message there, which MQTT brokers take as deletion.
/// </summary>
public sealed record RetainedState(string Topic, string? Field = null, bool Clears = false)
{
    /// <summary>The topic as AsyncAPI writes it: <c>{0}</c> named after the payload field (<c>alerts/{rule}</c>).</summary>
    public string Template => Field is null ? Topic : Topic.Replace("{0}", "{" + Field + "}", StringComparison.Ordinal);
}

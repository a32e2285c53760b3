namespace CloudSync.Contract;

/// <summary>
/// One type of event the agent publishes: its name (the envelope's <c>type</c> and the last level of its topic), its
/// delivery class (what the outbox evicts first and how long it keeps it), and — for state that a late subscriber needs —
/// the payload field that names its retained topic. Every type is defined once, in <see cref="EventTypes"/>.
/// </summary>
public sealed record EventType(string Name, MessageClass Class, string? RetainedBy = null)
{
    /// <summary>The topic below the ward's base: <c>events/&lt;type&gt;</c>.</summary>
    public string TopicSuffix => $"events/{Name}";

    public override string ToString() => Name;
}

namespace EdgeAgent.Events;

/// <summary>Appends events to a file, one JSON document per line (the replay's event log; the service's local copy).</summary>
public sealed class JsonLinesEventWriter : IDisposable
{
    private readonly StreamWriter _writer;

    public JsonLinesEventWriter(string path, bool append = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append) { NewLine = "\n" };
    }

    public long Written { get; private set; }

    public void Write(IEnumerable<EventEnvelope> events)
    {
        foreach (EventEnvelope e in events)
        {
            _writer.WriteLine(EventFactory.ToJson(e));
            Written++;
        }
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}

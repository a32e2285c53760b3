using CloudSync.Outbox;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The set-up every MQTT delivery test repeats: a real mosquitto broker (with <c>brokerConfig</c> added to its file), a
/// verifier subscribed to everything on it and connected, and a fresh outbox on disk for destination <c>bms</c>.
/// Disposed in reverse order.
/// </summary>
public sealed class DeliveryRig : IAsyncDisposable
{
    private DeliveryRig(Mosquitto broker, Verifier verifier, Outbox outbox)
    {
        Broker = broker;
        Verifier = verifier;
        Outbox = outbox;
    }

    public Mosquitto Broker { get; }
    public Verifier Verifier { get; }
    public Outbox Outbox { get; }

    public static async Task<DeliveryRig> StartAsync(string brokerConfig = "", OutboxOptions? outbox = null)
    {
        var broker = new Mosquitto(brokerConfig);
        var verifier = new Verifier(broker.Port);
        try
        {
            await verifier.WaitUntilAsync(v => v.Connected, TimeSpan.FromSeconds(10), "the verifier connects");
            outbox ??= new OutboxOptions();
            outbox.Directory = TestAssets.NewTempDirectory();
            return new DeliveryRig(broker, verifier, Outbox.Open(outbox, ["bms"], TimeProvider.System));
        }
        catch
        {
            await verifier.DisposeAsync();
            broker.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Outbox.Dispose();
        await Verifier.DisposeAsync();
        Broker.Dispose();
    }
}

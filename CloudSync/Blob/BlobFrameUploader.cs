using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace CloudSync.Blob;

/// <summary>
/// Uploads spooled frames to Azure Blob Storage, oldest first, each as a blob created only if absent (a frame uploaded
/// just before a crash is not duplicated on the retry), with its camera, time and anonymisation as metadata. Only after
/// the blob exists is <c>onUploaded</c> called (the agent turns it into a <c>frame.sampled</c> event), so no event ever
/// points to a missing blob. The spooled file stays until the agent <see cref="Confirm"/>s that event durable, so a
/// crash between the upload and the event only repeats the upload (answered 409: the blob is there) and the event —
/// never loses it. Failures back off exponentially with jitter.
/// </summary>
public sealed class BlobFrameUploader(BlobOptions options, FrameSpool spool, string site, string ward, Action<string, FrameSpool.SpooledFrame> onUploaded, ILogger logger)
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _uploaded, _failures;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FrameSpool.SpooledFrame> _awaitingEvent = new(StringComparer.Ordinal);   // blob name → frame

    public long Uploaded => Interlocked.Read(ref _uploaded);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The event of this blob is durable (in the outbox): its spooled frame can go.</summary>
    public void Confirm(string blobName)
    {
        if (_awaitingEvent.TryRemove(blobName, out FrameSpool.SpooledFrame? f)) spool.Remove(f);
    }

    public void Notify()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    public static string BlobNameOf(string site, string ward, FrameSpool.SpooledFrame f) =>
        $"{site}/{ward}/{f.Camera}/{f.CapturedAt:yyyy'/'MM'/'dd}/{f.CapturedAt:HHmmssfff}-{f.CapturedAt.UtcTicks}.jpg";

    /// <summary>Blobs of this ward deleted because they were older than <see cref="BlobOptions.RetainFor"/>.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    private long _expired;

    // Retention: this ward's frames (its prefix only) older than RetainFor are deleted, by their upload time.
    private async Task DeleteExpiredAsync(BlobContainerClient container, CancellationToken ct)
    {
        DateTimeOffset cutoff = DateTimeOffset.UtcNow - options.RetainFor;
        int deleted = 0;
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{site}/{ward}/" }, ct).ConfigureAwait(false))
        {
            if (item.Properties.CreatedOn is not { } created || created >= cutoff) continue;
            if ((await container.DeleteBlobIfExistsAsync(item.Name, cancellationToken: ct).ConfigureAwait(false)).Value) deleted++;
        }
        if (deleted == 0) return;
        Interlocked.Add(ref _expired, deleted);
        BlobLog.Expired(logger, deleted, options.RetainFor);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 1;   // our own loop retries with backoff; the SDK default would block ~23 s per failure
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        var container = new BlobContainerClient(options.ConnectionString, options.Container, clientOptions);
        bool containerReady = false;
        var backoff = new ReconnectBackoff(options.RetryInitialDelay, options.RetryMaxDelay, jitter: 0.2);
        DateTimeOffset nextSweep = DateTimeOffset.MinValue;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!containerReady)
                {
                    // A credential scoped to the container (a SAS from docs/azure.md) may not create containers: the
                    // container is provisioned with the storage account (infra/main.bicep), and an upload says if it is not.
                    try { await container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false); }
                    catch (RequestFailedException e) when (e.Status == 403) { }
                    containerReady = true;
                }
                if (options.RetainFor > TimeSpan.Zero && DateTimeOffset.UtcNow >= nextSweep)
                {
                    await DeleteExpiredAsync(container, ct).ConfigureAwait(false);
                    nextSweep = DateTimeOffset.UtcNow + options.RetentionSweepInterval;
                }
                IReadOnlyList<FrameSpool.SpooledFrame> frames = spool.Oldest(16 + _awaitingEvent.Count)
                    .Where(f => !_awaitingEvent.ContainsKey(BlobNameOf(site, ward, f))).Take(16).ToList();
                if (frames.Count == 0)
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                    continue;
                }
                foreach (FrameSpool.SpooledFrame f in frames)
                {
                    string name = BlobNameOf(site, ward, f);
                    BlobClient blob = container.GetBlobClient(name);
                    try
                    {
                        await using FileStream content = File.OpenRead(f.Path);
                        await blob.UploadAsync(content, new BlobUploadOptions
                        {
                            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                            HttpHeaders = new BlobHttpHeaders { ContentType = "image/jpeg" },
                            Metadata = new Dictionary<string, string>
                            {
                                ["camera"] = f.Camera, ["capturedat"] = f.CapturedAt.ToString("O"), ["anonymisation"] = f.Anonymisation,
                                ["site"] = site, ["ward"] = ward,
                            },
                        }, ct).ConfigureAwait(false);
                    }
                    catch (RequestFailedException e) when (e.Status == 409)
                    {
                        // Uploaded before a crash: the blob is there, so the event may follow.
                    }
                    catch (FileNotFoundException)
                    {
                        continue;   // dropped by quota or TTL meanwhile
                    }
                    _awaitingEvent[name] = f;
                    onUploaded(name, f);
                    Interlocked.Increment(ref _uploaded);
                }
                backoff.Reset();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException or IOException or HttpRequestException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failures);
                TimeSpan delay = backoff.NextDelay();
                BlobLog.UploadFailed(logger, e.Message, delay);
                try { await Task.Delay(delay, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}

internal static partial class BlobLog
{
    [LoggerMessage(6101, LogLevel.Information, "Deleted {Count} frame(s) of this ward older than {RetainFor} from Blob Storage")]
    public static partial void Expired(ILogger logger, int count, TimeSpan retainFor);

    [LoggerMessage(6100, LogLevel.Warning, "Frame upload failed, retrying in {Delay}: {Reason}")]
    public static partial void UploadFailed(ILogger logger, string reason, TimeSpan delay);
}

namespace CloudSync.Blob;

/// <summary>Azure Blob Storage for sampled, anonymised frames. <c>Sync:Blob</c>; off while <see cref="ConnectionString"/> is empty.</summary>
public sealed class BlobOptions
{
    /// <summary>Connection string (account key or SAS; <c>UseDevelopmentStorage=true</c> for Azurite). Empty: frames are not sampled.</summary>
    public string ConnectionString { get; set; } = "";

    public string Container { get; set; } = "frames";

    /// <summary>Frames waiting for upload (files, oldest first).</summary>
    public string SpoolDirectory { get; set; } = "state/frames";

    public long QuotaBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>A frame not uploaded within this is dropped (counted).</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(72);

    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);
}

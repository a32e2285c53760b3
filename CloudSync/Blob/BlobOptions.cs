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

    /// <summary>
    /// A frame's maximum age in Blob Storage: the agent deletes this ward's blobs older than this (72 h by default, after
    /// the EDPB's guidance on video: days, not weeks). 0 leaves deletion to the storage account's lifecycle rule.
    /// </summary>
    public TimeSpan RetainFor { get; set; } = TimeSpan.FromHours(72);

    /// <summary>How often the agent looks for blobs past <see cref="RetainFor"/>.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);
}

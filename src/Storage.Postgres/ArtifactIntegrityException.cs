namespace Factory.Storage.Postgres;

/// <summary>Stored content no longer hashes to its address: the row was altered outside the store.</summary>
public sealed class ArtifactIntegrityException(string sha256, string actualSha256)
    : InvalidOperationException($"Artifact '{sha256}' is corrupt: its stored content hashes to '{actualSha256}'.")
{
    /// <summary>The address that was read.</summary>
    public string Sha256 { get; } = sha256;

    /// <summary>The SHA-256 of the content found under it.</summary>
    public string ActualSha256 { get; } = actualSha256;
}

namespace Factory;

/// <summary>
/// Reads stored artifact content by its SHA-256, a slice at a time, so a process without access to the
/// artifact store (a standalone gateway) can stream it. Stateless: any silo serves any call; key: ignored
/// (use <c>0</c>).
/// </summary>
[Alias("Factory.IArtifactContentGrain")]
public interface IArtifactContentGrain : IGrainWithIntegerKey
{
    /// <summary>The largest slice one call returns, in bytes (1 MiB).</summary>
    public const int MaxCount = 1024 * 1024;

    /// <summary>
    /// At most <paramref name="count"/> bytes of the content stored under <paramref name="sha256"/>, from
    /// <paramref name="offset"/>; fewer at the end, empty past it; null when no such content is stored.
    /// </summary>
    /// <exception cref="ArgumentException">Not a lower-case hex SHA-256, a negative offset, or a count outside 1..<see cref="MaxCount"/>.</exception>
    [Alias("Read")]
    Task<byte[]?> ReadAsync(string sha256, long offset, int count);
}

using Factory.Grains.Storage;

namespace Factory.Cli;

/// <summary>Materialises a run's artifacts from the store into an output folder, checking every hash.</summary>
internal static class ArtifactFolder
{
    /// <summary>Writes each artifact to <c>{root}/{path}</c>; returns how many were written.</summary>
    /// <exception cref="InvalidDataException">An artifact is missing from the store, its content does not match its hash, or its path leaves the folder.</exception>
    public static async Task<int> WriteAsync(string root, IEnumerable<ArtifactRef> artifacts, IArtifactStore store, CancellationToken cancellationToken)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var written = 0;
        foreach (var artifact in artifacts)
        {
            var target = Path.GetFullPath(Path.Combine(fullRoot, artifact.Path));
            if (!target.StartsWith(fullRoot, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Artifact path '{artifact.Path}' leaves the output folder.");
            }

            var content = await store.GetAsync(artifact.Sha256, cancellationToken)
                ?? throw new InvalidDataException($"Artifact '{artifact.Path}' ({artifact.Sha256}) is not in the artifact store.");
            var actual = ContentHash.Sha256Hex(content);
            if (actual != artifact.Sha256)
            {
                throw new InvalidDataException($"Artifact '{artifact.Path}' hashes to {actual}, not {artifact.Sha256}.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, content, cancellationToken);
            written++;
        }

        return written;
    }
}

using Factory.Grains.Storage;

namespace Factory.Cli;

/// <summary>Reads a run's artifacts from the store, checking every hash, and materialises them in an output folder.</summary>
internal static class ArtifactFolder
{
    /// <summary>Each artifact's content by path, read from the store.</summary>
    /// <exception cref="InvalidDataException">An artifact is missing from the store or its content does not match its hash.</exception>
    public static async Task<SortedDictionary<string, byte[]>> ReadAsync(IEnumerable<ArtifactRef> artifacts, IArtifactStore store, CancellationToken cancellationToken)
    {
        var contents = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var artifact in artifacts)
        {
            var content = await store.GetAsync(artifact.Sha256, cancellationToken)
                ?? throw new InvalidDataException($"Artifact '{artifact.Path}' ({artifact.Sha256}) is not in the artifact store.");
            var actual = ContentHash.Sha256Hex(content);
            if (actual != artifact.Sha256)
            {
                throw new InvalidDataException($"Artifact '{artifact.Path}' hashes to {actual}, not {artifact.Sha256}.");
            }

            contents[artifact.Path] = content;
        }

        return contents;
    }

    /// <summary>Writes each content to <c>{root}/{path}</c>; returns how many were written.</summary>
    /// <exception cref="InvalidDataException">A path leaves the folder.</exception>
    public static async Task<int> WriteAsync(string root, IReadOnlyDictionary<string, byte[]> contents, CancellationToken cancellationToken)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var written = 0;
        foreach (var (path, content) in contents)
        {
            var target = Path.GetFullPath(Path.Combine(fullRoot, path));
            if (!target.StartsWith(fullRoot, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Artifact path '{path}' leaves the output folder.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, content, cancellationToken);
            written++;
        }

        return written;
    }
}

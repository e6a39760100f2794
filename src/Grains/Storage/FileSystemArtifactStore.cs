using Microsoft.Win32.SafeHandles;

namespace Factory.Grains.Storage;

/// <summary>
/// Stores content as files under a root folder: <c>{root}/{sha[0..2]}/{sha}</c>. Writes go to a
/// temporary file first and are moved into place, so a reader never sees a partial file and
/// concurrent writers of the same content are harmless.
/// </summary>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    private static long s_temporaries;
    private readonly string _root;

    /// <summary>Creates a store rooted at <paramref name="root"/> (created when missing).</summary>
    public FileSystemArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root => _root;

    /// <inheritdoc/>
    /// <remarks>
    /// Written synchronously: an artifact is a small file going to the page cache, which costs less than handing the
    /// write to another thread and back.
    /// </remarks>
    public ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sha = ContentHash.Sha256Hex(content.Span);
        var path = PathOf(sha);
        if (!File.Exists(path))
        {
            var temporary = $"{path}.{Environment.ProcessId}.{Interlocked.Increment(ref s_temporaries)}.tmp";
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write);
            }
            catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException)
            {
                // The folder's first artifact. A file opened to be created is "not found" only when its folder is
                // missing; it is reported as a missing file, not folder, when another writer created the folder
                // between the failed open and the runtime's look at the folder.
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write);
            }

            using (handle)
            {
                RandomAccess.Write(handle, content.Span, fileOffset: 0);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer stored the same content first: identical bytes, nothing to do.
                File.Delete(temporary);
            }
        }

        return ValueTask.FromResult(new ContentAddress(sha, content.Length));
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        if (!ContentHash.IsSha256Hex(sha256))
        {
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256.", nameof(sha256));
        }

        var path = PathOf(sha256);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }

    private string PathOf(string sha) => Path.Combine(_root, sha[..2], sha);
}

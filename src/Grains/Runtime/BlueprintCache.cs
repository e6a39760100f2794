using System.Collections.Concurrent;
using System.Text;
using Factory.Blueprints;
using Factory.Grains.Storage;

namespace Factory.Grains.Runtime;

/// <summary>
/// Parsed blueprints by canonical hash, loaded from the artifact store on first use. Grains pass
/// the hash, not the document, and each silo parses a blueprint once.
/// </summary>
public sealed class BlueprintCache(IArtifactStore store)
{
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<string, Lazy<Task<Blueprint>>> _entries = new(StringComparer.Ordinal);

    /// <summary>Stores a validated blueprint's canonical JSON under its hash and caches the parsed form.</summary>
    public async ValueTask<string> PutAsync(Blueprint blueprint, string canonicalJson, CancellationToken cancellationToken = default)
    {
        var address = await store.PutAsync(Encoding.UTF8.GetBytes(canonicalJson), cancellationToken);
        Trim();
        _entries.TryAdd(address.Sha256, new Lazy<Task<Blueprint>>(Task.FromResult(blueprint)));
        return address.Sha256;
    }

    /// <summary>The blueprint whose canonical form hashes to <paramref name="hash"/>.</summary>
    /// <exception cref="InvalidOperationException">The store has no such blueprint, or it no longer validates.</exception>
    public Task<Blueprint> GetAsync(string hash)
    {
        var entry = _entries.GetOrAdd(hash, h => new Lazy<Task<Blueprint>>(() => LoadAsync(h)));
        var task = entry.Value;
        if (task.IsFaulted)
        {
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<Blueprint>>>(hash, entry));
        }

        return task;
    }

    private async Task<Blueprint> LoadAsync(string hash)
    {
        Trim();
        var bytes = await store.GetAsync(hash)
            ?? throw new InvalidOperationException($"Blueprint {hash} is not in the artifact store.");
        var result = BlueprintLoader.Load(Encoding.UTF8.GetString(bytes), $"blueprint {hash}");
        if (!result.IsValid || result.Blueprint is null)
        {
            throw new InvalidOperationException(
                $"Stored blueprint {hash} no longer validates: {string.Join("; ", result.Problems)}");
        }

        return result.Blueprint;
    }

    private void Trim()
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
    }
}

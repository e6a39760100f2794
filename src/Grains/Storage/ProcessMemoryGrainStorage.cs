using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace Factory.Grains.Storage;

/// <summary>
/// Grain state kept in this process's memory, each state as its serialized bytes with an etag: the embedded mode's
/// storage. Reading and writing a state is a local call (Orleans' memory storage makes each one a call to a storage
/// grain), and what a grain keeps is a copy, never the object it goes on changing, packed (<see cref="Packed"/>): a
/// state is read back only when its grain is activated again. Several storage names (and, in a test, several silos of
/// one process) can share one <see cref="Store"/>.
/// </summary>
public sealed class ProcessMemoryGrainStorage(ProcessMemoryGrainStorage.Store store, string storageName, Serializer serializer) : IGrainStorage
{
    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (store.Entries.TryGetValue((storageName, stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.State.Unpack());
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = (storageName, stateName, grainId);
        var bytes = Packed.Pack(serializer.SerializeToArray(grainState.State));
        var etag = store.NextETag();
        if (grainState.ETag is null)
        {
            if (!store.Entries.TryAdd(key, (bytes, etag)))
            {
                throw Conflict(key, null);
            }
        }
        else if (!store.Entries.TryGetValue(key, out var current) || current.ETag != grainState.ETag
            || !store.Entries.TryUpdate(key, (bytes, etag), current))
        {
            throw Conflict(key, grainState.ETag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        store.Entries.TryRemove((storageName, stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private InconsistentStateException Conflict((string, string, GrainId Grain) key, string? given)
    {
        var stored = store.Entries.TryGetValue(key, out var other) ? other.ETag : null;
        return new($"The state of {key.Grain} has etag {stored ?? "(none)"} in storage, not {given ?? "(none)"}: another activation wrote it.", stored, given);
    }

    /// <summary>The states, by storage name, state name and grain.</summary>
    public sealed class Store
    {
        private long _etag;

        internal ConcurrentDictionary<(string Storage, string State, GrainId Grain), (Packed State, string ETag)> Entries { get; } = new();

        internal string NextETag() => Interlocked.Increment(ref _etag).ToString(CultureInfo.InvariantCulture);
    }
}

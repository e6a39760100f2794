using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace Factory.Grains.Storage;

/// <summary>
/// Grain state kept in this process's memory, each state as its serialized bytes with an etag: the embedded mode's
/// storage. Reading and writing a state is a local call (Orleans' memory storage makes each one a call to a storage
/// grain), and what a grain keeps is a copy, never the object it goes on changing. A state is read back only when its
/// grain is activated again, so states are packed (<see cref="Packed"/>) once <see cref="Store.UnpackedLimit"/> later
/// writes have been made: a state that a later write supersedes before then is never packed. Several storage names
/// (and, in a test, several silos of one process) can share one <see cref="Store"/>.
/// </summary>
public sealed class ProcessMemoryGrainStorage(ProcessMemoryGrainStorage.Store store, string storageName, Serializer serializer) : IGrainStorage
{
    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (store.Entries.TryGetValue((storageName, stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Bytes());
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
        var stored = new Stored(serializer.SerializeToArray(grainState.State), default, store.NextETag());
        if (grainState.ETag is null)
        {
            if (!store.Entries.TryAdd(key, stored))
            {
                throw Conflict(key, null);
            }
        }
        else if (!store.Entries.TryGetValue(key, out var current) || current.ETag != grainState.ETag
            || !store.Entries.TryUpdate(key, stored, current))
        {
            throw Conflict(key, grainState.ETag);
        }

        grainState.ETag = stored.ETag;
        grainState.RecordExists = true;
        store.Written(key, stored.ETag);
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

    /// <summary>A stored state: its serialized bytes, as written (<see cref="Raw"/>) or packed, and its etag.</summary>
    internal readonly record struct Stored(byte[]? Raw, Packed Packed, string ETag)
    {
        public byte[] Bytes() => Raw ?? Packed.Unpack();
    }

    /// <summary>The states, by storage name, state name and grain.</summary>
    public sealed class Store
    {
        /// <summary>Writes after which a state still current is packed.</summary>
        public const int UnpackedLimit = 4096;

        private readonly ConcurrentQueue<((string, string, GrainId) Key, string ETag)> _unpacked = new();
        private long _etag;

        internal ConcurrentDictionary<(string Storage, string State, GrainId Grain), Stored> Entries { get; } = new();

        internal string NextETag() => Interlocked.Increment(ref _etag).ToString(CultureInfo.InvariantCulture);

        /// <summary>Notes a write, and packs the state written <see cref="UnpackedLimit"/> writes ago if no write has superseded it.</summary>
        internal void Written((string, string, GrainId) key, string etag)
        {
            _unpacked.Enqueue((key, etag));
            if (_unpacked.Count > UnpackedLimit && _unpacked.TryDequeue(out var oldest)
                && Entries.TryGetValue(oldest.Key, out var current) && current.ETag == oldest.ETag && current.Raw is { } raw)
            {
                Entries.TryUpdate(oldest.Key, current with { Raw = null, Packed = Packed.Pack(raw) }, current);
            }
        }
    }
}

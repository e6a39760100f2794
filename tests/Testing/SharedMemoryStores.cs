using System.Collections.Concurrent;
using Factory.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Factory.Testing;

/// <summary>
/// Memory stores that every silo of one in-process test cluster shares, so that a silo's death loses nothing that
/// a database would keep: grain state, reminders and the run journal outlive the silo that wrote them (unlike
/// Orleans' memory providers, whose storage grains die with their silo). One set per cluster, by name.
/// </summary>
public sealed class SharedMemoryStores
{
    private static readonly ConcurrentDictionary<string, SharedMemoryStores> Clusters = new(StringComparer.Ordinal);

    /// <summary>Grain state as serialized bytes with its etag, by storage name, state name and grain.</summary>
    private readonly ConcurrentDictionary<(string Storage, string State, GrainId Grain), (byte[] Bytes, string ETag)> _state = new();

    /// <summary>The reminders, by grain and name.</summary>
    private readonly ConcurrentDictionary<(GrainId Grain, string Name), ReminderEntry> _reminders = new();

    /// <summary>The run journal.</summary>
    public MemoryRunJournal Journal { get; } = new();

    /// <summary>The stores named <paramref name="name"/> (created on first use).</summary>
    public static SharedMemoryStores For(string name) => Clusters.GetOrAdd(name, _ => new SharedMemoryStores());

    /// <summary>Forgets the stores named <paramref name="name"/>.</summary>
    public static void Release(string name) => Clusters.TryRemove(name, out _);

    /// <summary>Registers the shared grain storage as <paramref name="storageNames"/>, the shared reminder table and the shared journal.</summary>
    public void AddTo(ISiloBuilder silo, params string[] storageNames)
    {
        foreach (var storage in storageNames)
        {
            silo.Services.AddGrainStorage(storage, (sp, name) => new Storage(this, name, sp.GetRequiredService<Serializer>()));
        }

        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(new Reminders(this));
        silo.Services.AddSingleton<IRunJournal>(Journal);
    }

    private sealed class Storage(SharedMemoryStores stores, string storage, Serializer serializer) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (stores._state.TryGetValue((storage, stateName, grainId), out var stored))
            {
                grainState.State = serializer.Deserialize<T>(stored.Bytes);
                grainState.ETag = stored.ETag;
                grainState.RecordExists = true;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = (storage, stateName, grainId);
            var bytes = serializer.SerializeToArray(grainState.State);
            var etag = Guid.NewGuid().ToString("N");
            lock (stores._state)
            {
                var current = stores._state.TryGetValue(key, out var stored) ? stored.ETag : null;
                if (current != grainState.ETag)
                {
                    throw new InconsistentStateException($"etag of {grainId} is {current}, not {grainState.ETag}", current, grainState.ETag);
                }

                stores._state[key] = (bytes, etag);
            }

            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            stores._state.TryRemove((storage, stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }
    }

    private sealed class Reminders(SharedMemoryStores stores) : IReminderTable
    {
        public Task<ReminderTableData> ReadRows(GrainId grainId) =>
            Task.FromResult(new ReminderTableData(stores._reminders.Values.Where(r => r.GrainId == grainId).Select(Copy)));

        public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
            Task.FromResult(new ReminderTableData(stores._reminders.Values.Where(r => InRange(r.GrainId.GetUniformHashCode(), begin, end)).Select(Copy)));

        public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
            Task.FromResult(stores._reminders.TryGetValue((grainId, reminderName), out var entry) ? Copy(entry) : null);

        public Task<string?> UpsertRow(ReminderEntry entry)
        {
            var stored = Copy(entry);
            stored.ETag = Guid.NewGuid().ToString("N");
            stores._reminders[(entry.GrainId, entry.ReminderName)] = stored;
            return Task.FromResult<string?>(stored.ETag);
        }

        public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
        {
            lock (stores._reminders)
            {
                return Task.FromResult(stores._reminders.TryGetValue((grainId, reminderName), out var entry) && entry.ETag == eTag
                    && stores._reminders.TryRemove((grainId, reminderName), out _));
            }
        }

        public Task TestOnlyClearTable()
        {
            stores._reminders.Clear();
            return Task.CompletedTask;
        }

        /// <summary>The ring range (begin, end], wrapping around when begin is not below end.</summary>
        private static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

        private static ReminderEntry Copy(ReminderEntry e) => new()
        {
            GrainId = e.GrainId,
            ReminderName = e.ReminderName,
            StartAt = e.StartAt,
            Period = e.Period,
            ETag = e.ETag,
        };
    }
}

using System.Collections.Concurrent;
using Factory.Grains.Journal;
using Factory.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace Factory.Testing;

/// <summary>
/// Memory stores that every silo of one in-process test cluster shares, so that a silo's death loses nothing that
/// a database would keep: grain state, reminders and the run journal outlive the silo that wrote them (unlike
/// Orleans' memory providers, whose storage grains die with their silo). One set per cluster, by name.
/// </summary>
public sealed class SharedMemoryStores
{
    private static readonly ConcurrentDictionary<string, SharedMemoryStores> Clusters = new(StringComparer.Ordinal);

    /// <summary>Grain state, shared by every silo of the cluster.</summary>
    private readonly ProcessMemoryGrainStorage.Store _state = new();

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
            silo.Services.AddGrainStorage(storage, (sp, name) => new ProcessMemoryGrainStorage(_state, name, sp.GetRequiredService<Serializer>()));
        }

        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(new Reminders(this));
        silo.Services.AddSingleton<IRunJournal>(Journal);
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

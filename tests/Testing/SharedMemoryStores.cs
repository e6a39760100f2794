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

    /// <summary>The reminders.</summary>
    private readonly ProcessMemoryReminderTable _reminders = new();

    /// <summary>The reminder table every silo shares.</summary>
    public IReminderTable Reminders => _reminders;

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
        silo.Services.AddSingleton<IReminderTable>(_reminders);
        silo.Services.AddSingleton<IRunJournal>(Journal);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Factory.Grains.Telemetry;

namespace Factory.Silo.Statistics;

/// <summary>
/// Running totals of this silo's work, for load measurements: every counter of the <c>Factory</c> and
/// <c>Microsoft.Orleans</c> meters (histograms count their recordings, so <c>orleans-storage-write-latency</c>
/// is the number of grain-state writes), grain calls by interface (from <see cref="GrainCallCounter"/>), and the
/// process's CPU time and peak memory. Collected only when <c>Factory:Statistics:Enabled</c> is set.
/// </summary>
public sealed class SiloStatistics : IDisposable
{
    private const string OrleansMeter = "Microsoft.Orleans";
    private readonly ConcurrentDictionary<string, StrongBox> _totals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox> _grainCalls = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();

    /// <summary>Starts listening to the meters.</summary>
    public SiloStatistics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is FactoryTelemetry.SourceName or OrleansMeter && !instrument.IsObservable)
            {
                var histogram = instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>);
                var box = Box(_totals, histogram ? instrument.Name + ".count" : instrument.Name);
                box.CountOnly = histogram;
                listener.EnableMeasurementEvents(instrument, box);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => Add((StrongBox)state!, value));
        _listener.SetMeasurementEventCallback<int>((_, value, _, state) => Add((StrongBox)state!, value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, state) => Add((StrongBox)state!, (long)value));
        _listener.Start();
    }

    /// <summary>Counts one grain call to <paramref name="interfaceName"/>.</summary>
    public void OnGrainCall(string interfaceName) => Interlocked.Increment(ref Box(_grainCalls, interfaceName).Value);

    /// <summary>A snapshot of every total.</summary>
    public StatisticsSnapshot Snapshot()
    {
        using var process = Process.GetCurrentProcess();
        return new StatisticsSnapshot(
            Totals: _totals.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal),
            GrainCalls: _grainCalls.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal),
            CpuSeconds: process.TotalProcessorTime.TotalSeconds,
            PeakWorkingSetBytes: process.PeakWorkingSet64,
            WorkingSetBytes: process.WorkingSet64,
            GcHeapBytes: GC.GetTotalMemory(forceFullCollection: false),
            ProcessorCount: Environment.ProcessorCount)
        {
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
            GcCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
        };
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private static void Add(StrongBox box, long value) => Interlocked.Add(ref box.Value, box.CountOnly ? 1 : value);

    private static StrongBox Box(ConcurrentDictionary<string, StrongBox> map, string key) => map.GetOrAdd(key, static _ => new StrongBox());

    private sealed class StrongBox
    {
        public long Value;

        public bool CountOnly;
    }
}

/// <summary>What <see cref="SiloStatistics.Snapshot"/> returns, served as JSON at <c>/factory/statistics</c>.</summary>
/// <param name="Totals">Instrument name to total (<c>.count</c> names count a histogram's recordings).</param>
/// <param name="GrainCalls">Grain interface to calls received.</param>
/// <param name="CpuSeconds">The process's CPU time.</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set.</param>
/// <param name="WorkingSetBytes">The process's working set now.</param>
/// <param name="GcHeapBytes">Managed heap in use now.</param>
/// <param name="ProcessorCount">Processors the process may use.</param>
public sealed record StatisticsSnapshot(
    IReadOnlyDictionary<string, long> Totals,
    IReadOnlyDictionary<string, long> GrainCalls,
    double CpuSeconds,
    long PeakWorkingSetBytes,
    long WorkingSetBytes,
    long GcHeapBytes,
    int ProcessorCount)
{
    /// <summary>Bytes allocated on the managed heap since the process started.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Garbage collections since the process started, of generation 0, 1 and 2 (a collection of a generation counts for the younger ones too).</summary>
    public IReadOnlyList<int> GcCollections { get; init; } = [];

    /// <summary>Grain type to activations on this silo now.</summary>
    public IReadOnlyDictionary<string, long> Activations { get; init; } = new Dictionary<string, long>();
}

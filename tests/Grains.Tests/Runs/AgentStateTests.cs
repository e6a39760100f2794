using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Factory.Grains.Skills;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Factory.Grains.Tests.Runs;

/// <summary>
/// When agents and modules read their stored state: never for work handed on for the first time, and an agent's
/// result stored meanwhile stands over a second execution of the same task.
/// </summary>
public sealed class AgentStateTests : IAsyncLifetime
{
    private FactoryCluster? _factory;
    private MeterListener? _listener;
    private readonly ConcurrentDictionary<string, int> _storage = new(StringComparer.Ordinal);

    private FactoryCluster Factory => _factory!;

    public async Task InitializeAsync()
    {
        _factory = await FactoryCluster.StartAsync(silos: 1, survivesSiloLoss: true, captureLogs: true);

        // Orleans' storage instruments of this cluster's silo only (its meters come from the silo's meter factory).
        var scopes = Factory.Cluster.Silos.OfType<InProcessSiloHandle>().Select(s => (object)s.SiloHost.Services.GetRequiredService<IMeterFactory>()).ToHashSet();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (scopes.Contains(instrument.Meter.Scope!) && instrument.Name is "orleans-storage-read-latency" or "orleans-storage-write-latency")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            var state = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "state_name")
                {
                    state = tag.Value as string ?? "";
                }
            }

            _storage.AddOrUpdate($"{(instrument.Name.Contains("read", StringComparison.Ordinal) ? "read" : "write")} {state}", 1, (_, n) => n + 1);
        });
        _listener.Start();
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    private int Count(string operation) => _storage.GetValueOrDefault(operation);

    [Fact]
    public async Task RunsAgentsAndModulesHandedNewWorkStoreTheirStateWithoutReadingIt()
    {
        var submission = await RunDriver.SubmitAsync(Factory.Client, Samples.CanonicalJson("clinic-appointments.yaml"));
        var watched = await RunDriver.WatchToEndAsync(Factory.Client, submission.RunId);
        Assert.Equal(TraceEventTypes.RunSucceeded, watched[^1].Type);

        var run = Factory.Client.GetGrain<IRunGrain>(submission.RunId);
        var snapshot = await run.GetSnapshotAsync();
        Assert.Equal(snapshot.Tasks.Length, Count("write agent"));
        Assert.Equal(0, Count("read agent"));
        Assert.True(Count("write module") >= 2, "each of the two modules stores its state");
        Assert.Equal(0, Count("read module"));
        Assert.True(Count("write run") >= 2, "the run stores its state as it starts and as it ends");
        Assert.Equal(0, Count("read run"));
        Assert.True(Count("read tenant") > 0, "the tenant's state read at activation is counted: the listener sees this silo's reads");

        // Activated again, the run reads its state and its journal on the first call.
        var management = Factory.Client.GetGrain<IManagementGrain>(0);
        await RunDriver.EventuallyAsync(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.FromMilliseconds(1));
            return !(await management.GetDetailedGrainStatistics()).Any(g => g.GrainId == run.GetGrainId());
        }, "the ended run's grain deactivated");
        var again = await run.GetSnapshotAsync();
        Assert.Equal(1, Count("read run"));
        Assert.Equal(RunStatus.Succeeded, again.Status);
        Assert.Equal(snapshot.EventCount, again.EventCount);
        Assert.Equal(watched.Select(e => e.EventId), (await run.ReadJournalAsync(0, 1000)).Select(e => e.EventId));
    }

    [Fact]
    public async Task AResultStoredMeanwhileStandsOverASecondExecutionHandedOnAsNew()
    {
        var submission = await RunDriver.SubmitAsync(Factory.Client, Samples.CanonicalJson("clinic-appointments.yaml"));
        await RunDriver.WatchToEndAsync(Factory.Client, submission.RunId);
        var run = Factory.Client.GetGrain<IRunGrain>(submission.RunId);
        var snapshot = await run.GetSnapshotAsync();
        var journaled = snapshot.EventCount;
        var task = snapshot.Tasks.First(t => t.Task.Role == AgentRoles.Architect).Task;
        var key = $"{submission.RunId}/{task.Module}/{task.Role}";

        // The ended agent deactivated itself; handed the same task as new work, it runs its skills again from an
        // unread state, and its write finds the stored result.
        var management = Factory.Client.GetGrain<IManagementGrain>(0);
        await RunDriver.EventuallyAsync(async () => !(await management.GetDetailedGrainStatistics())
            .Any(g => g.GrainId.Key.ToString() == key), "the ended agent deactivated");
        var reads = Count("read agent");
        await Factory.Client.GetGrain<IAgentGrain>(key).ExecuteAsync(new AgentWork
        {
            RunId = submission.RunId,
            TenantId = snapshot.TenantId,
            Module = task.Module,
            Role = task.Role,
            BlueprintHash = snapshot.BlueprintHash,
            Upstream = [],
            TraceId = snapshot.TraceId,
            ParentSpanId = "0123456789abcdef",
            FirstDispatch = true,
        });

        await RunDriver.EventuallyAsync(() => Task.FromResult(Factory.SiloLogs().Any(l => l.Id.Id == 2004 && l.Message.Contains(key, StringComparison.Ordinal))),
            "the agent logged that the result stored first stands");
        await RunDriver.EventuallyAsync(() => Task.FromResult(Count("read agent") == reads + 1), $"the agent read the stored result once (counted: {string.Join(", ", _storage.Select(p => $"{p.Key} {p.Value}"))})");

        // The run journaled nothing new: the second execution's events carry the ids of the first's.
        await RunDriver.EventuallyAsync(async () => !(await management.GetDetailedGrainStatistics())
            .Any(g => g.GrainId.Key.ToString() == key), "the agent deactivated again");
        Assert.Equal(journaled, (await run.GetSnapshotAsync()).EventCount);
        Assert.Equal(RunStatus.Succeeded, (await run.GetSnapshotAsync()).Status);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Factory.Blueprints;
using Factory.Grains.Gates;
using Factory.Grains.Telemetry;
using Factory.Grains.Tests.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.TestingHost;

namespace Factory.Grains.Tests.Observability;

/// <summary>A run's spans, collected by OpenTelemetry's in-memory exporter, and its metrics, by metric collectors on each silo.</summary>
public sealed class RunTelemetryTests(FactoryClusterFixture fixture) : IClassFixture<FactoryClusterFixture>
{
    [Fact]
    public async Task ARunsSpansFormOneTreeUnderOneTraceIdEachCarryingItsFactoryAttributes()
    {
        var exported = new List<Activity>();
        using (Sdk.CreateTracerProviderBuilder().AddSource(FactoryTelemetry.SourceName).AddInMemoryExporter(exported).Build())
        {
            var client = fixture.Cluster.Client;
            var tenant = "spans-" + Guid.NewGuid().ToString("N")[..8];
            var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("clinic-appointments.yaml"), tenant);
            await RunDriver.WatchToEndAsync(client, submission.RunId);
            var run = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();
            List<Activity> spans;
            lock (exported)
            {
                spans = [.. exported.Where(s => s.TraceId.ToHexString() == submission.TraceId)];
            }

            var root = Assert.Single(spans, s => s.ParentSpanId == default);
            Assert.Equal("run clinic-appointments", root.DisplayName);
            Assert.Equal(run.TraceId, root.TraceId.ToHexString());
            var byId = spans.ToDictionary(s => s.SpanId);
            Assert.All(spans.Where(s => s != root), s => Assert.True(byId.ContainsKey(s.ParentSpanId), $"{s.DisplayName}: parent {s.ParentSpanId} is not a span of the run"));

            Assert.All(spans, s =>
            {
                Assert.Equal(tenant, s.GetTagItem(FactoryTelemetry.Tenant));
                Assert.Equal(submission.RunId, s.GetTagItem(FactoryTelemetry.Run));
            });
            var kinds = spans.GroupBy(s => s.DisplayName.Split(' ')[0]).ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(["agent", "module", "run", "skill"], kinds.Keys.Order(StringComparer.Ordinal));
            Assert.All(kinds["module"], s => Assert.Equal(root.SpanId, s.ParentSpanId));
            Assert.All(kinds["agent"], s =>
            {
                Assert.Equal(byId[s.ParentSpanId].GetTagItem(FactoryTelemetry.Module), s.GetTagItem(FactoryTelemetry.Module));
                Assert.StartsWith("module ", byId[s.ParentSpanId].DisplayName, StringComparison.Ordinal);
                Assert.Equal(s.DisplayName, "agent " + s.GetTagItem(FactoryTelemetry.Agent));
            });
            Assert.Equal(run.Tasks.Length, kinds["agent"].Count);
            Assert.All(kinds["skill"], s =>
            {
                var agent = byId[s.ParentSpanId];
                Assert.StartsWith("agent ", agent.DisplayName, StringComparison.Ordinal);
                Assert.Equal(agent.GetTagItem(FactoryTelemetry.Module), s.GetTagItem(FactoryTelemetry.Module));
                Assert.Equal(agent.GetTagItem(FactoryTelemetry.Agent), s.GetTagItem(FactoryTelemetry.Agent));
                Assert.Equal(s.DisplayName, "skill " + s.GetTagItem(FactoryTelemetry.Skill));
            });
        }
    }

    [Fact]
    public async Task TheRunsMetricsCountItsRunsAgentsSkillsEventsCostAndGateFailures()
    {
        var factories = fixture.Cluster.Cluster.Silos.OfType<InProcessSiloHandle>()
            .Select(s => s.SiloHost.Services.GetRequiredService<IMeterFactory>()).ToList();
        Assert.Equal(2, factories.Count);
        using var started = new Collectors<long>(factories, "factory.runs.started");
        using var ended = new Collectors<long>(factories, "factory.runs.ended");
        using var agents = new Collectors<double>(factories, "factory.agent.duration");
        using var skills = new Collectors<double>(factories, "factory.skill.duration");
        using var appends = new Collectors<long>(factories, "factory.journal.appends");
        using var lag = new Collectors<double>(factories, "factory.stream.lag");
        using var cost = new Collectors<double>(factories, "factory.cost");
        using var gateFailures = new Collectors<long>(factories, "factory.gate.failures");

        var client = fixture.Cluster.Client;
        var tenant = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var good = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("todo-service.yaml"), tenant);
        var goodEvents = await RunDriver.WatchToEndAsync(client, good.RunId);
        var blueprint = BlueprintLoader.LoadValid(File.ReadAllText(RepositoryPaths.Sample("todo-service.yaml")));
        var overBudget = await RunDriver.SubmitAsync(client, BlueprintCanonicalForm.ToJson(blueprint with { Policies = blueprint.Policies with { CostBudgetUsd = 0.0000000001m } }), tenant);
        var blockedEvents = await RunDriver.WatchToEndAsync(client, overBudget.RunId);
        Assert.Equal(TraceEventTypes.RunBlocked, blockedEvents[^1].Type);
        var snapshots = new[]
        {
            await client.GetGrain<IRunGrain>(good.RunId).GetSnapshotAsync(),
            await client.GetGrain<IRunGrain>(overBudget.RunId).GetSnapshotAsync(),
        };

        Assert.Equal(2, started.Sum(m => Tag(m, "factory.tenant") == tenant));
        Assert.Equal(1, ended.Sum(m => Tag(m, "factory.tenant") == tenant && Tag(m, "factory.status") == "Succeeded"));
        Assert.Equal(1, ended.Sum(m => Tag(m, "factory.tenant") == tenant && Tag(m, "factory.status") == "Blocked"));
        var events = goodEvents.Concat(blockedEvents).ToList();
        Assert.Equal(events.Count(e => e.Type is TraceEventTypes.AgentCompleted or TraceEventTypes.AgentFailed), agents.Count());
        Assert.Equal(events.Count(e => e.Type == TraceEventTypes.SkillCompleted), skills.Count());
        Assert.Equal(snapshots.Sum(s => s.EventCount), appends.Sum());
        Assert.Equal(snapshots.Sum(s => s.EventCount), lag.Count());
        Assert.All(lag.Values(), v => Assert.InRange(v, 0d, 60d));
        Assert.Equal((double)snapshots.Sum(s => s.CostUsd), cost.Total(), 6);
        Assert.True(gateFailures.Sum(m => Tag(m, "factory.rule") == GateRuleIds.CostBudget && Tag(m, "factory.mode") == "block") >= 1);
    }

    [Fact]
    public async Task ARunsFirstEventsReachTheJournalInOneAppend()
    {
        // A cluster of its own: every append it measures is this run's.
        await using var cluster = await FactoryCluster.StartAsync(silos: 1);
        var silo = Assert.Single(cluster.Cluster.Silos.OfType<InProcessSiloHandle>());
        using var appends = new MetricCollector<long>(silo.SiloHost.Services.GetRequiredService<IMeterFactory>(), FactoryTelemetry.SourceName, "factory.journal.appends");
        var submission = await RunDriver.SubmitAsync(cluster.Client, Samples.CanonicalJson("todo-service.yaml"), "first-append");

        var events = await RunDriver.WatchToEndAsync(cluster.Client, submission.RunId);

        Assert.Equal([TraceEventTypes.RunStarted, TraceEventTypes.PlanCreated], events.Take(2).Select(e => e.Type));
        var measured = appends.GetMeasurementSnapshot();
        Assert.Equal(2, measured[0].Value); // RunStarted and PlanCreated, one round trip
        Assert.Equal(events.Count, measured.Sum(m => m.Value));
    }

    private static string? Tag<T>(CollectedMeasurement<T> m, string key) where T : struct =>
        m.Tags.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    /// <summary>One <see cref="MetricCollector{T}"/> per silo for one instrument of the <c>Factory</c> meter.</summary>
    private sealed class Collectors<T>(IEnumerable<IMeterFactory> factories, string instrument) : IDisposable
        where T : struct
    {
        private readonly List<MetricCollector<T>> _collectors = [.. factories.Select(f => new MetricCollector<T>(f, FactoryTelemetry.SourceName, instrument))];

        private IEnumerable<CollectedMeasurement<T>> Measurements() => _collectors.SelectMany(c => c.GetMeasurementSnapshot());

        public long Sum(Func<CollectedMeasurement<T>, bool>? where = null) =>
            Measurements().Where(where ?? (_ => true)).Sum(m => Convert.ToInt64(m.Value, CultureInfo.InvariantCulture));

        public double Total() => Measurements().Sum(m => Convert.ToDouble(m.Value, CultureInfo.InvariantCulture));

        public int Count() => Measurements().Count();

        public IEnumerable<T> Values() => Measurements().Select(m => m.Value);

        public void Dispose()
        {
            foreach (var collector in _collectors)
            {
                collector.Dispose();
            }
        }
    }
}

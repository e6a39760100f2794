using System.Collections.Concurrent;
using System.Diagnostics;
using Factory.Grains.Telemetry;

namespace Factory.Grains.Tests.Runs;

/// <summary>A run's spans form one tree under one trace id: run, then module, then agent, then skill.</summary>
public sealed class RunSpanTests(FactoryClusterFixture fixture) : IClassFixture<FactoryClusterFixture>, IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == FactoryTelemetry.SourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task EverySpanOfARunHangsFromItsRunSpanUnderTheRunsTraceId()
    {
        _listener.ActivityStopped = _spans.Enqueue;
        ActivitySource.AddActivityListener(_listener);
        var client = fixture.Cluster.Client;

        var submission = await RunDriver.SubmitAsync(client, Samples.CanonicalJson("clinic-appointments.yaml"));
        await RunDriver.WatchToEndAsync(client, submission.RunId);
        var snapshot = await client.GetGrain<IRunGrain>(submission.RunId).GetSnapshotAsync();

        var spans = _spans.Where(s => s.TraceId.ToHexString() == submission.TraceId).ToList();
        var run = Assert.Single(spans, s => s.OperationName.StartsWith("run ", StringComparison.Ordinal));
        Assert.Equal(default, run.ParentSpanId);
        Assert.Equal(submission.RunId, run.GetTagItem(FactoryTelemetry.Run));
        Assert.Equal(FactoryNames.DefaultTenant, run.GetTagItem(FactoryTelemetry.Tenant));

        var modules = spans.Where(s => s.OperationName.StartsWith("module ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["appointments", "payments"], modules.Select(m => (string)m.GetTagItem(FactoryTelemetry.Module)!).Order(StringComparer.Ordinal));
        Assert.All(modules, m => Assert.Equal(run.SpanId, m.ParentSpanId));

        var agents = spans.Where(s => s.OperationName.StartsWith("agent ", StringComparison.Ordinal)).ToList();
        Assert.Equal(snapshot.Tasks.Length, agents.Count);
        Assert.All(agents, a =>
        {
            var module = Assert.Single(modules, m => m.SpanId == a.ParentSpanId);
            Assert.Equal(module.GetTagItem(FactoryTelemetry.Module), a.GetTagItem(FactoryTelemetry.Module));
            Assert.Equal(submission.RunId, a.GetTagItem(FactoryTelemetry.Run));
        });

        var skills = spans.Where(s => s.OperationName.StartsWith("skill ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(skills);
        Assert.All(skills, s =>
        {
            var agent = Assert.Single(agents, a => a.SpanId == s.ParentSpanId);
            Assert.Equal(agent.GetTagItem(FactoryTelemetry.Agent), s.GetTagItem(FactoryTelemetry.Agent));
            Assert.NotNull(s.GetTagItem(FactoryTelemetry.Skill));
        });

        // Every span of the run is one of those four kinds: nothing escaped into another trace.
        Assert.Equal(spans.Count, 1 + modules.Count + agents.Count + skills.Count);
    }
}

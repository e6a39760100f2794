using System.Collections.Concurrent;
using Factory.Grains.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Factory.Grains.Tests.Runs;

/// <summary>
/// With <c>Factory:Runtime:PublishRunEvents</c> on, a consumer in the cluster that subscribes to <c>run-events/{runId}</c>
/// receives the run's events as journaled: sequenced, in order, each once, through the terminal event.
/// </summary>
public sealed class RunEventsStreamTests
{
    [Fact]
    public async Task ASiloLeftToItsDefaultsPublishesNoRunEventsStream()
    {
        await using var cluster = await FactoryCluster.StartAsync(silos: 1);
        var silo = Assert.Single(cluster.Cluster.Silos.OfType<InProcessSiloHandle>());

        Assert.False(silo.SiloHost.Services.GetRequiredService<IOptions<FactoryRuntimeOptions>>().Value.PublishRunEvents);
    }

    [Fact]
    public async Task ASubscriberReceivesEveryEventJournaledAfterItSubscribedInOrderThroughTheEnd()
    {
        // One run at a time: the second run waits for its place, journaled but publishing nothing, while the test subscribes.
        await using var cluster = await FactoryCluster.StartAsync(silos: 1, settings: new Dictionary<string, string?>
        {
            ["Factory:Runtime:MaxActiveRuns"] = "1",
            ["Factory:Runtime:PublishRunEvents"] = "true",
        });
        var client = cluster.Client;
        var json = Samples.CanonicalJson("todo-service.yaml");
        var first = await RunDriver.SubmitAsync(client, json);
        var second = await RunDriver.SubmitAsync(client, json);

        var received = new ConcurrentQueue<TraceEvent>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = client.GetStreamProvider(FactoryNames.StreamProvider)
            .GetStream<TraceEvent>(StreamId.Create(FactoryNames.RunEventsNamespace, second.RunId));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            received.Enqueue(e);
            if (e.IsTerminal)
            {
                ended.TrySetResult();
            }

            return Task.CompletedTask;
        });
        var journaledBefore = (await RunDriver.JournalAsync(client, second.RunId)).Count;

        await RunDriver.WatchToEndAsync(client, first.RunId);
        await ended.Task.WaitAsync(RunDriver.RunTimeout);
        await subscription.UnsubscribeAsync();

        var journal = await RunDriver.JournalAsync(client, second.RunId);
        var events = received.ToList();
        Assert.Equal(TraceEventTypes.RunSucceeded, journal[^1].Type);
        Assert.Equal(journal[^1].EventId, events[^1].EventId);

        // Every event journaled once the subscription was in place arrived, once and in order, as the journal holds it.
        var expected = journal.Skip((int)journaledBefore).ToList();
        var tail = events.SkipWhile(e => e.Sequence < journaledBefore).ToList();
        Assert.Equal(expected.Select(e => e.Sequence), tail.Select(e => e.Sequence));
        Assert.Equal(expected.Select(e => e.EventId), tail.Select(e => e.EventId));
        Assert.Equal(expected.Select(e => e.Type), tail.Select(e => e.Type));
        Assert.Contains(tail, e => e.Type == TraceEventTypes.ModuleStarted);
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
    }
}

using Orleans.Streams;

namespace Factory.Grains.Runtime;

/// <summary>
/// Factory's two Orleans stream providers, for every silo that hosts its grains: <see cref="FactoryNames.StreamProvider"/>,
/// which clients may subscribe to (run summaries, and run events when published), and
/// <see cref="FactoryNames.TraceStreamProvider"/>, whose only consumers are the run grains' implicit subscriptions and
/// which therefore keeps no subscription registry (no pub-sub grain or state per run).
/// </summary>
public static class FactoryStreamProviders
{
    /// <summary>Most batches queued for a consumer that its pulling agent hands it in one call.</summary>
    public const int DeliveryBatchSize = 64;

    /// <summary>Adds both providers through <paramref name="add"/> (memory or ADO.NET queues).</summary>
    /// <param name="add">Adds one persistent stream provider of the given name, configured by the given action.</param>
    /// <param name="pollInterval">How soon a receiver looks again at a queue it found empty; null: Orleans' default.</param>
    public static void Add(Action<string, Action<ISiloPersistentStreamConfigurator>> add, TimeSpan? pollInterval)
    {
        ArgumentNullException.ThrowIfNull(add);
        add(FactoryNames.StreamProvider, streams => DeliverInBatches(streams, pollInterval));
        add(FactoryNames.TraceStreamProvider, streams =>
        {
            DeliverInBatches(streams, pollInterval);
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
        });
    }

    /// <summary>Adds both providers on memory queues.</summary>
    public static ISiloBuilder AddFactoryMemoryStreams(this ISiloBuilder silo, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        Add((name, configure) => silo.AddMemoryStreams(name, streams => configure(streams)), pollInterval);
        return silo;
    }

    /// <summary>
    /// A stream's pulling agent hands a consumer up to <see cref="DeliveryBatchSize"/> of the batches queued for it in
    /// one call (Orleans' default is one per call): a run grain then journals what its agents published meanwhile in one
    /// append. An empty queue is looked at again after <paramref name="pollInterval"/> (null: Orleans' default).
    /// </summary>
    private static void DeliverInBatches(ISiloPersistentStreamConfigurator streams, TimeSpan? pollInterval) =>
        streams.ConfigurePullingAgent(o => o.Configure(a =>
        {
            a.BatchContainerBatchSize = DeliveryBatchSize;
            if (pollInterval is { } poll)
            {
                a.GetQueueMsgsTimerPeriod = poll;
            }
        }));
}

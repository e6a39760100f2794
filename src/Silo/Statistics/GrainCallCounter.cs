namespace Factory.Silo.Statistics;

/// <summary>Counts every grain call this silo receives, by grain interface, into <see cref="SiloStatistics"/>.</summary>
public sealed class GrainCallCounter(SiloStatistics statistics) : IIncomingGrainCallFilter
{
    /// <inheritdoc/>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        statistics.OnGrainCall(context.InterfaceName);
        return context.Invoke();
    }
}

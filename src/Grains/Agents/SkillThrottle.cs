using Microsoft.Extensions.Options;

namespace Factory.Grains.Agents;

/// <summary>Settings of <see cref="SkillThrottle"/> (section <c>Factory:Runtime</c>).</summary>
public sealed class SkillThrottleOptions
{
    /// <summary>
    /// Most template renders and gate evaluations running at once in a silo; 0 (the default) means the number of
    /// processors. Must be 0 or more.
    /// </summary>
    public int MaxConcurrentSkills { get; set; }
}

/// <summary>
/// Bounds how much CPU-bound skill work (template renders, gate evaluations) runs at once in a silo, to about the
/// number of cores. The rest waits asynchronously, holding no thread, so that with thousands of runs in flight the
/// thread pool's queue stays short and requests (a submission, a watcher's next event) are not served behind
/// hundreds of renders. Throughput is unchanged: the cores stay busy with the work admitted.
/// </summary>
public sealed class SkillThrottle
{
    private readonly SemaphoreSlim _slots;

    /// <summary>Creates the throttle from its options.</summary>
    public SkillThrottle(IOptions<SkillThrottleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = options.Value.MaxConcurrentSkills;
        ArgumentOutOfRangeException.ThrowIfNegative(max, "Factory:Runtime:MaxConcurrentSkills");
        Limit = max == 0 ? Environment.ProcessorCount : max;
        _slots = new SemaphoreSlim(Limit, Limit);
    }

    /// <summary>How many may run at once.</summary>
    public int Limit { get; }

    /// <summary>Runs <paramref name="work"/> once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            _slots.Release();
        }
    }
}

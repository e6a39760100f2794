using Factory.Grains.Agents;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Tests.Skills;

public sealed class SkillThrottleTests
{
    [Fact]
    public async Task NoMoreThanTheLimitRunAtOnceAndEveryOneRuns()
    {
        var throttle = new SkillThrottle(Options.Create(new SkillThrottleOptions { MaxConcurrentSkills = 2 }));
        var running = 0;
        var peak = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var all = Enumerable.Range(0, 20).Select(i => throttle.RunAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Interlocked.Decrement(ref running);
            return i;
        }, CancellationToken.None)).ToList();
        await WaitUntilAsync(() => Volatile.Read(ref running) == 2);
        gate.SetResult();
        var results = await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, peak);
        Assert.Equal(Enumerable.Range(0, 20), results);
    }

    [Fact]
    public void ZeroMeansTheProcessorCountAndANegativeLimitIsRefusedNamingTheSetting()
    {
        Assert.Equal(Environment.ProcessorCount, new SkillThrottle(Options.Create(new SkillThrottleOptions())).Limit);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SkillThrottle(Options.Create(new SkillThrottleOptions { MaxConcurrentSkills = -1 })));
        Assert.Contains("MaxConcurrentSkills", error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

namespace Factory.Bench.Tests;

public sealed class BaselineResultTests
{
    [Fact]
    public void TwoMeasurementsCombineIntoRatesOverBoth()
    {
        // 100 runs in 1 s with 2 CPU-seconds, then 100 runs in 3 s with 4 CPU-seconds.
        var before = new BaselineResult(100, 1.0, 900, 4000, 0, 0.5, 0, 2.0, 100 * 1024 * 10);
        var after = new BaselineResult(100, 3.0, 900, 4000, 1, 0.7, 0, 4.0, 100 * 1024 * 30);

        var both = BaselineResult.Combine(before, after);

        Assert.Equal(200, both.Runs);
        Assert.Equal(50, both.RunsPerSecond, 6); // 200 runs in 4 s, not the mean of 100 and 33.3 runs/s
        Assert.Equal(30, both.CpuMsPerRun, 6);
        Assert.Equal(20, both.AllocatedKbPerRun);
        Assert.Equal(1, both.BlockingGateFailures);
        Assert.Equal(1800, both.AgentSteps);
        Assert.Equal(1.2, both.GateSeconds, 6);
    }
}

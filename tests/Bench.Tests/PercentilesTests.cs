namespace Factory.Bench.Tests;

public sealed class PercentilesTests
{
    [Fact]
    public void NearestRankOfOneToHundred()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToList(); // unsorted on purpose

        Assert.Equal(50, Percentiles.Of(values, 50));
        Assert.Equal(95, Percentiles.Of(values, 95));
        Assert.Equal(99, Percentiles.Of(values, 99));
        Assert.Equal(100, Percentiles.Of(values, 100));
    }

    [Fact]
    public void SmallSamplesRoundTheRankUp()
    {
        double[] values = [10, 20, 30];

        Assert.Equal(20, Percentiles.Of(values, 50));
        Assert.Equal(30, Percentiles.Of(values, 99));
        Assert.Equal(10, Percentiles.Of(values, 1));
    }

    [Fact]
    public void NoValuesGiveZeroAndABadPercentileIsRefused()
    {
        Assert.Equal(0, Percentiles.Of([], 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], 101));
    }

    [Fact]
    public void LatencySummaryHoldsThePercentilesAndTheMax()
    {
        var latency = Latency.Of([.. Enumerable.Range(1, 1000).Select(i => (double)i)]);

        Assert.Equal(new Latency(500, 950, 990, 1000), latency);
    }
}

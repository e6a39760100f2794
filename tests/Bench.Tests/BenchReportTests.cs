namespace Factory.Bench.Tests;

public sealed class BenchReportTests
{
    [Theory]
    [InlineData(20.0, 5.0, 0.8)] // a quarter of the bare work again on the same cores: at most 0.8 of the baseline
    [InlineData(19.2, 7.8, 0.711)]
    [InlineData(20.0, 0.0, 1.0)] // a load generator that costs nothing leaves the whole machine to the runtime
    [InlineData(20.0, -1.0, 1.0)] // a clock that went backwards is no negative cost
    public void TheCeilingIsTheBareWorkOverTheBareWorkAndTheLoadGenerator(double baseline, double loadGenerator, double ceiling) =>
        Assert.Equal(ceiling, BenchReport.Ceiling(baseline, loadGenerator));

    [Fact]
    public void WithoutABaselineThereIsNoCeiling() => Assert.Equal(0, BenchReport.Ceiling(0, 5));
}

namespace Factory.Bench;

/// <summary>Latency percentiles by the nearest-rank method.</summary>
public static class Percentiles
{
    /// <summary>
    /// The <paramref name="percentile"/>th percentile (0 &lt; p &lt;= 100) of <paramref name="values"/>: the smallest value
    /// with at least p% of the values at or below it. Zero for no values.
    /// </summary>
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

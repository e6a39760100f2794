using Factory.Grains.Storage;

namespace Factory.Grains.Tests.Storage;

/// <summary>The embedded reminder table: rows by grain and name, tags that guard removal, and the hash ring's ranges.</summary>
public sealed class ProcessMemoryReminderTableTests
{
    private static ReminderEntry Entry(GrainId grain, string name = "redrive") => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(1),
    };

    private static GrainId Run(string id) => GrainId.Create("run", id);

    [Fact]
    public async Task AnUpsertedRowReadsBackAsACopyWithItsNewTagAndReplacesTheEarlierOne()
    {
        var table = new ProcessMemoryReminderTable();
        var run = Run("a");
        var first = await table.UpsertRow(Entry(run));
        var second = await table.UpsertRow(Entry(run));
        Assert.False(string.IsNullOrEmpty(first));
        Assert.NotEqual(first, second);
        Assert.Equal(1, table.Count);

        var row = await table.ReadRow(run, "redrive");
        Assert.NotNull(row);
        Assert.Equal(second, row.ETag);
        Assert.Equal(TimeSpan.FromMinutes(1), row.Period);
        row.Period = TimeSpan.FromHours(1); // a caller's change stays the caller's
        Assert.Equal(TimeSpan.FromMinutes(1), (await table.ReadRow(run, "redrive"))!.Period);
        Assert.Null(await table.ReadRow(run, "other"));
        Assert.Single((await table.ReadRows(run)).Reminders);
        Assert.Empty((await table.ReadRows(Run("b"))).Reminders);
    }

    [Fact]
    public async Task ARowIsRemovedOnlyWithItsCurrentTag()
    {
        var table = new ProcessMemoryReminderTable();
        var run = Run("a");
        var stale = await table.UpsertRow(Entry(run));
        var current = await table.UpsertRow(Entry(run));

        Assert.False(await table.RemoveRow(run, "redrive", stale!));
        Assert.NotNull(await table.ReadRow(run, "redrive"));
        Assert.True(await table.RemoveRow(run, "redrive", current!));
        Assert.Null(await table.ReadRow(run, "redrive"));
        Assert.False(await table.RemoveRow(run, "redrive", current!));
    }

    [Fact]
    public async Task ARangeReadReturnsTheRowsWhoseGrainHashIsInTheRangeWrappingAroundTheRing()
    {
        var table = new ProcessMemoryReminderTable();
        var grains = Enumerable.Range(0, 200).Select(i => Run($"run-{i}")).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain));
        }

        async Task<HashSet<GrainId>> Read(uint begin, uint end) => [.. (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId)];
        const uint Middle = uint.MaxValue / 2;

        var lower = await Read(0, Middle);
        var upper = await Read(Middle, 0); // wraps: above the middle, and the single hash 0
        Assert.Equal(grains.Where(g => g.GetUniformHashCode() is > 0 and <= Middle).ToHashSet(), lower);
        Assert.Equal(grains.Where(g => g.GetUniformHashCode() is > Middle or 0).ToHashSet(), upper);
        Assert.NotEmpty(lower);
        Assert.NotEmpty(upper);
        Assert.Equal(grains.ToHashSet(), (await Read(Middle, Middle))); // the whole ring
    }
}

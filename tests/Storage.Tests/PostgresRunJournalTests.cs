using System.Collections.Immutable;
using Factory.Grains.Journal;
using Factory.Storage.Postgres;
using Npgsql;

namespace Factory.Storage.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresRunJournalTests(PostgresServer server)
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 25, 9, 30, 15, 123, TimeSpan.FromHours(2));

    [Fact]
    public async Task AppendedEventsReadBackWithEveryField()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        var full = new TraceEvent
        {
            EventId = "evt-0",
            RunId = "run-a",
            TenantId = "acme",
            TraceId = "0af7651916cd43dd8448eb211c80319c",
            SpanId = "b7ad6b7169203331",
            ParentSpanId = "00f067aa0ba902b7",
            Sequence = 0,
            Type = TraceEventTypes.ArtifactEmitted,
            Module = "appointments",
            Agent = "coder",
            Skill = "csharp.service",
            Time = Epoch.AddTicks(7),
            Attributes = ImmutableDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                [TraceAttributes.Path] = "src/Ünïcode \"quoted\".cs",
                [TraceAttributes.Sha256] = new string('a', 64),
                ["empty"] = "",
            }),
        };
        var bare = Event("run-a", 1) with { SpanId = "", ParentSpanId = "", Module = "", Attributes = ImmutableDictionary<string, string>.Empty };

        await journal.AppendAsync("run-a", [full, bare]);
        var read = await journal.ReadAsync("run-a", 0, 10);

        Assert.Equal(2, read.Count);
        AssertSame(full, read[0]);
        AssertSame(bare, read[1]);
        Assert.Equal(Epoch.AddTicks(7).Offset, read[0].Time.Offset);
        Assert.Empty(await journal.ReadAsync("run-b", 0, 10));
        Assert.Empty(await journal.ReadAsync("run-a", 2, 10));
    }

    [Fact]
    public async Task AGapIsRejectedAndNothingOfTheBatchIsStored()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        await journal.AppendAsync("run-g", [Event("run-g", 0), Event("run-g", 1)]);

        var first = await Assert.ThrowsAsync<JournalSequenceException>(async () => await journal.AppendAsync("run-g", [Event("run-g", 3)]));
        Assert.Equal(("run-g", 2L, 3L), (first.RunId, first.Expected, first.Actual));

        // A batch whose first event continues the journal but then skips one stores nothing.
        var inner = await Assert.ThrowsAsync<JournalSequenceException>(async () => await journal.AppendAsync("run-g", [Event("run-g", 2), Event("run-g", 4)]));
        Assert.Equal((3L, 4L), (inner.Expected, inner.Actual));
        Assert.Equal(2, await CountAsync(dataSource, "run-g"));
    }

    [Fact]
    public async Task ADuplicateIsRejectedAndTheStoredEventKept()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        await journal.AppendAsync("run-d", [Event("run-d", 0), Event("run-d", 1)]);

        var duplicate = await Assert.ThrowsAsync<JournalSequenceException>(async () =>
            await journal.AppendAsync("run-d", [Event("run-d", 1) with { Type = TraceEventTypes.RunFailed }]));
        Assert.Equal((2L, 1L), (duplicate.Expected, duplicate.Actual));

        var read = await journal.ReadAsync("run-d", 1, 10);
        Assert.Equal(TraceEventTypes.SkillCompleted, Assert.Single(read).Type);
    }

    [Fact]
    public async Task TwoWritersOfOneRunNeverBothAppendTheSameSequence()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        var attempts = Enumerable.Range(0, 8).Select(async writer =>
        {
            try
            {
                await journal.AppendAsync("run-race", [Event("run-race", 0) with { EventId = $"writer-{writer}" }]);
                return true;
            }
            catch (JournalSequenceException)
            {
                return false;
            }
        });

        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(won => won));
        Assert.Equal(1, await CountAsync(dataSource, "run-race"));
    }

    [Fact]
    public async Task ConcurrentAppendersToDifferentRunsEachKeepAGapFreeJournal()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        const int Runs = 6;
        const int Batches = 20;

        await Task.WhenAll(Enumerable.Range(0, Runs).Select(r => Task.Run(async () =>
        {
            var runId = $"run-{r}";
            for (var b = 0; b < Batches; b++)
            {
                await journal.AppendAsync(runId, [Event(runId, 2L * b), Event(runId, (2L * b) + 1)]);
            }
        })));

        for (var r = 0; r < Runs; r++)
        {
            var read = await journal.ReadAsync($"run-{r}", 0, 1000);
            Assert.Equal(Enumerable.Range(0, 2 * Batches).Select(i => (long)i), read.Select(e => e.Sequence));
            Assert.All(read, e => Assert.Equal($"run-{r}", e.RunId));
        }
    }

    [Fact]
    public async Task ReadingFromASequencePagesThroughTheRun()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        await journal.AppendAsync("run-p", [.. Enumerable.Range(0, 25).Select(i => Event("run-p", i))]);
        await journal.AppendAsync("run-q", [.. Enumerable.Range(0, 5).Select(i => Event("run-q", i))]);

        var pages = new List<IReadOnlyList<TraceEvent>>();
        long next = 0;
        while (true)
        {
            var page = await journal.ReadAsync("run-p", next, 10);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            next = page[^1].Sequence + 1;
        }

        Assert.Equal([10, 10, 5], pages.Select(p => p.Count));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"run-p-{i}"), pages.SelectMany(p => p).Select(e => e.EventId));
        Assert.Equal([17L, 18L], (await journal.ReadAsync("run-p", 17, 2)).Select(e => e.Sequence));

        // "Run R from N" is an index range scan on the primary key.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var noSeqScan = new NpgsqlCommand("set enable_seqscan = off", connection))
        {
            await noSeqScan.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand(
            "explain select event from factory_journal where run_id = 'run-p' and sequence >= 17 order by sequence limit 2", connection);
        var plan = "";
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan += reader.GetString(0) + "\n";
            }
        }

        Assert.Contains("factory_journal_pkey", plan, StringComparison.Ordinal);
    }

    private static TraceEvent Event(string runId, long sequence) => new()
    {
        EventId = $"{runId}-{sequence}",
        RunId = runId,
        TenantId = "acme",
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
        Sequence = sequence,
        Type = TraceEventTypes.SkillCompleted,
        Module = "billing",
        Time = Epoch.AddSeconds(sequence),
        Attributes = ImmutableDictionary<string, string>.Empty.Add(TraceAttributes.DurationMs, $"{sequence}"),
    };

    private static void AssertSame(TraceEvent expected, TraceEvent actual)
    {
        Assert.Equal(
            expected with { Attributes = ImmutableDictionary<string, string>.Empty },
            actual with { Attributes = ImmutableDictionary<string, string>.Empty });
        Assert.Equal(expected.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal), actual.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string runId)
    {
        await using var count = dataSource.CreateCommand("select count(*) from factory_journal where run_id = $1");
        count.Parameters.Add(new NpgsqlParameter { Value = runId });
        return (long)(await count.ExecuteScalarAsync() ?? 0L);
    }
}

using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Factory.Grains.Journal;
using Factory.Storage.Postgres;

namespace Factory.Storage.Tests;

[Collection(PostgresCollection.Name)]
public sealed class TailCachingRunJournalTests(PostgresServer server)
{
    [Fact]
    public async Task ReadsAnswerWhatTheDatabaseHoldsAcrossTheCachedTailAndBeforeIt()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var durable = new PostgresRunJournal(dataSource);
        await durable.AppendAsync("run-t", [Event("run-t", 0), Event("run-t", 1)]); // journaled by another process
        var journal = new TailCachingRunJournal(durable);

        await journal.AppendAsync("run-t", [Event("run-t", 2), Event("run-t", 3), Event("run-t", 4)]);

        for (var from = 0; from <= 5; from++)
        {
            Assert.Equal(
                (await durable.ReadAsync("run-t", from, 10)).Select(e => (e.Sequence, e.EventId)),
                (await journal.ReadAsync("run-t", from, 10)).Select(e => (e.Sequence, e.EventId)));
        }

        Assert.Equal([3L], (await journal.ReadAsync("run-t", 3, 1)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task EventsAppendedElsewhereInBetweenAreReadFromTheDatabase()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var durable = new PostgresRunJournal(dataSource);
        var journal = new TailCachingRunJournal(durable);

        await journal.AppendAsync("run-m", [Event("run-m", 0), Event("run-m", 1)]);
        await durable.AppendAsync("run-m", [Event("run-m", 2) with { EventId = "elsewhere" }]); // the run moved, then came back
        await journal.AppendAsync("run-m", [Event("run-m", 3)]);

        var all = await journal.ReadAsync("run-m", 0, 10);
        Assert.Equal([0L, 1L, 2L, 3L], all.Select(e => e.Sequence));
        Assert.Equal("elsewhere", (await journal.ReadAsync("run-m", 2, 1)).Single().EventId);
    }

    [Fact]
    public async Task AFailedAppendIsNotCached()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new TailCachingRunJournal(new PostgresRunJournal(dataSource));
        await journal.AppendAsync("run-f", [Event("run-f", 0)]);

        await Assert.ThrowsAsync<JournalSequenceException>(async () => await journal.AppendAsync("run-f", [Event("run-f", 2)]));

        Assert.Equal([0L], (await journal.ReadAsync("run-f", 0, 10)).Select(e => e.Sequence));
        Assert.Empty(await journal.ReadAsync("run-f", 2, 10));
    }

    [Fact]
    public async Task ConcurrentAppendsOfManyRunsAreGroupedAndEachStaysGapFree()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var journal = new PostgresRunJournal(dataSource);
        const int Runs = 200;
        const int EventsPerRun = 5;
        long writes = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "factory.journal.writes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref writes, value));
        listener.Start();

        await Task.WhenAll(Enumerable.Range(0, Runs).Select(r => Task.Run(async () =>
        {
            for (var s = 0; s < EventsPerRun; s++)
            {
                await journal.AppendAsync($"run-{r}", [Event($"run-{r}", s)]);
            }
        })));

        for (var r = 0; r < Runs; r++)
        {
            Assert.Equal(Enumerable.Range(0, EventsPerRun).Select(i => (long)i), (await journal.ReadAsync($"run-{r}", 0, 100)).Select(e => e.Sequence));
        }

        // Appends that queued while a write was in flight went together: far fewer round trips than appends.
        Assert.InRange(Interlocked.Read(ref writes), 1, Runs * EventsPerRun / 2);
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
        Time = new DateTimeOffset(2026, 11, 25, 9, 30, 15, TimeSpan.Zero).AddSeconds(sequence),
        Attributes = ImmutableDictionary<string, string>.Empty,
    };
}

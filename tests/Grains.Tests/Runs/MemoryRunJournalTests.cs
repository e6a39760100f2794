using System.Collections.Immutable;
using System.Globalization;
using Factory.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Factory.Grains.Tests.Runs;

public sealed class MemoryRunJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_ended_run_packed_behind_later_ones_reads_back_every_event_and_takes_feedback_after()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(TraceEvent).Assembly)).BuildServiceProvider();
        var journal = new MemoryRunJournal(services.GetRequiredService<Serializer>());
        var first = Events("run-0", 40, terminal: true);
        await journal.AppendAsync("run-0", first[..25]);
        await journal.AppendAsync("run-0", first[25..]);

        // Enough later runs end for run-0 to be packed, one still live.
        for (var r = 1; r <= MemoryRunJournal.EndedRunsUnpacked + 1; r++)
        {
            await journal.AppendAsync($"run-{r}", Events($"run-{r}", 3, terminal: true));
        }

        var live = Events("run-live", 5, terminal: false);
        await journal.AppendAsync("run-live", live);

        var read = await journal.ReadAsync("run-0", 0, 1000);
        Assert.Equal(first.Select(e => e.EventId), read.Select(e => e.EventId));
        Assert.All(first.Zip(read), p => AssertSame(p.First, p.Second));
        Assert.Equal(first[3..9].Select(e => e.Sequence), (await journal.ReadAsync("run-0", 3, 6)).Select(e => e.Sequence));

        // Feedback on the ended run continues its journal, and an append out of sequence is still refused.
        var feedback = Event("run-0", 40, TraceEventTypes.FeedbackSubmitted);
        await journal.AppendAsync("run-0", [feedback]);
        await Assert.ThrowsAsync<JournalSequenceException>(async () => await journal.AppendAsync("run-0", [Event("run-0", 40, TraceEventTypes.FeedbackSubmitted)]));
        var all = await journal.ReadAsync("run-0", 0, 1000);
        Assert.Equal(41, all.Count);
        Assert.Equal(feedback, all[^1]);
        Assert.Equal(feedback, Assert.Single(await journal.ReadAsync("run-0", 40, 10)));
        Assert.Equal(live, await journal.ReadAsync("run-live", 0, 10));
        Assert.Empty(await journal.ReadAsync("run-0", 41, 10));
    }

    private static void AssertSame(TraceEvent expected, TraceEvent actual)
    {
        Assert.Equal(expected with { Attributes = actual.Attributes }, actual);
        Assert.Equal(expected.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal), actual.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal));
    }

    private static TraceEvent[] Events(string runId, int count, bool terminal) =>
        [.. Enumerable.Range(0, count).Select(i => Event(runId, i, terminal && i == count - 1 ? TraceEventTypes.RunSucceeded : TraceEventTypes.ArtifactEmitted))];

    private static TraceEvent Event(string runId, int sequence, string type) => new()
    {
        EventId = $"{runId}-{sequence.ToString(CultureInfo.InvariantCulture)}-{type}",
        RunId = runId,
        TenantId = "acme",
        TraceId = "0af7651916cd43dd8448eb211c80319c",
        Sequence = sequence,
        Type = type,
        Module = "appointments",
        Time = Start.AddMilliseconds(sequence),
        Attributes = ImmutableDictionary<string, string>.Empty.Add(TraceAttributes.Path, $"appointments/src/File{sequence.ToString(CultureInfo.InvariantCulture)}.cs"),
    };
}

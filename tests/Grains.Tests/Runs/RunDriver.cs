namespace Factory.Grains.Tests.Runs;

/// <summary>Submits runs and collects their events, always with a timeout.</summary>
public static class RunDriver
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    public static Task<RunSubmission> SubmitAsync(IGrainFactory grains, string blueprintJson, string tenant = FactoryNames.DefaultTenant) =>
        grains.GetGrain<ITenantGrain>(tenant).SubmitRunAsync(new RunRequest { BlueprintJson = blueprintJson });

    /// <summary>Every event from <paramref name="fromSequence"/> to the terminal one.</summary>
    public static async Task<List<TraceEvent>> WatchToEndAsync(IGrainFactory grains, string runId, long fromSequence = 0)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        var events = new List<TraceEvent>();
        await foreach (var e in grains.GetGrain<IRunGrain>(runId).WatchAsync(fromSequence, timeout.Token))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>Waits (polling, never longer than a run may take) until <paramref name="condition"/> holds.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }

    /// <summary>The whole journal, page by page.</summary>
    public static async Task<List<TraceEvent>> JournalAsync(IGrainFactory grains, string runId)
    {
        var run = grains.GetGrain<IRunGrain>(runId);
        var all = new List<TraceEvent>();
        while (true)
        {
            var page = await run.ReadJournalAsync(all.Count, 500);
            all.AddRange(page);
            if (page.Length < 500)
            {
                return all;
            }
        }
    }
}

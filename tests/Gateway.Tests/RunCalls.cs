using Grpc.Core;

namespace Factory.Gateway.Tests;

/// <summary>Streaming calls on <c>Runs</c> that the gateway tests share.</summary>
public static class RunCalls
{
    /// <summary>
    /// Every event of the run from sequence 0 to its end, within <paramref name="timeout"/>. The last event is
    /// terminal; with <paramref name="feedbackAfterEnd"/>, <c>FeedbackSubmitted</c> events may follow it.
    /// </summary>
    public static async Task<List<V1.TraceEvent>> WatchToEndAsync(
        V1.Runs.RunsClient runs, Metadata headers, string runId, TimeSpan timeout, bool feedbackAfterEnd = false)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var call = runs.WatchRun(new V1.WatchRunRequest { RunId = runId }, headers, cancellationToken: cancel.Token);
        var events = new List<V1.TraceEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
        {
            events.Add(e);
        }

        Assert.NotEmpty(events);
        var last = feedbackAfterEnd ? events.Last(e => e.Type != "FeedbackSubmitted") : events[^1];
        Assert.True(last.Type is "RunSucceeded" or "RunFailed" or "RunBlocked" or "RunCancelled", $"run {runId} ended with {last.Type}");
        return events;
    }

    /// <summary>The run's trace bundle, as the zip <c>GetBundle</c> streams.</summary>
    public static async Task<byte[]> BundleAsync(V1.Runs.RunsClient runs, Metadata headers, string runId)
    {
        using var zip = new MemoryStream();
        using (var call = runs.GetBundle(new V1.GetBundleRequest { RunId = runId }, headers))
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            {
                chunk.Data.WriteTo(zip);
            }
        }

        return zip.ToArray();
    }
}

using Grpc.Core;
using Polly;
using Polly.Retry;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Client;

/// <summary>
/// Follows a run's trace over the gateway: from a sequence to the run's end, each event handed on once and in
/// order. A stream that drops (UNAVAILABLE or INTERNAL) is reopened from the last sequence + 1, a bounded number
/// of times with exponential back-off.
/// </summary>
internal static class RunWatch
{
    /// <summary>How many times a dropped watch is reopened before the verb gives up.</summary>
    public const int MaxReconnects = 5;

    /// <summary>Streams <paramref name="runId"/>'s events from <paramref name="fromSequence"/>; returns the run's terminal event, or null when the stream ended without one.</summary>
    public static async Task<V1.TraceEvent?> FollowAsync(
        V1.Runs.RunsClient runs, string runId, long fromSequence, Func<V1.TraceEvent, Task> onEvent, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        var next = fromSequence;
        V1.TraceEvent? terminal = null;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode is StatusCode.Unavailable or StatusCode.Internal),
                MaxRetryAttempts = MaxReconnects,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                UseJitter = true,
                OnRetry = args =>
                {
                    var status = args.Outcome.Exception is RpcException rpc ? rpc.StatusCode.ToString() : "error";
                    errors.MarkupLine($"[yellow]The watch of run {Markup.Escape(runId)} dropped ({status}); reconnecting from sequence {next} (attempt {args.AttemptNumber + 1} of {MaxReconnects}).[/]");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        await pipeline.ExecuteAsync(async token =>
        {
            using var call = runs.WatchRun(new V1.WatchRunRequest { RunId = runId, FromSequence = next }, cancellationToken: token);
            await foreach (var e in call.ResponseStream.ReadAllAsync(token))
            {
                if (e.Sequence < next)
                {
                    continue;
                }

                await onEvent(e);
                next = e.Sequence + 1;
                if (TraceEventTypes.IsRunTerminal(e.Type))
                {
                    terminal = e;
                }
            }
        }, cancellationToken);
        return terminal;
    }

    /// <summary>The exit code a run's terminal event means, as <c>factory run</c> exits.</summary>
    public static int ExitCode(string? terminalType) => terminalType switch
    {
        TraceEventTypes.RunSucceeded => ExitCodes.Success,
        TraceEventTypes.RunBlocked => ExitCodes.RunBlocked,
        TraceEventTypes.RunCancelled => ExitCodes.Cancelled,
        _ => ExitCodes.RunFailed,
    };
}

using Microsoft.Extensions.Logging;

namespace Factory.Silo;

/// <summary>
/// Back-pressure and fail-over for the memory streams' producers: an enqueue into a memory stream queue that is
/// full (the queue refuses past its cap) or whose silo just died is retried with a growing delay, up to
/// <see cref="MaxAttempts"/> times, instead of failing the agent or run that published. The producer waits (its
/// grain holds its turn), so a full queue slows its producers down rather than losing their events; once the
/// cluster has noticed a dead silo, the queue is reactivated on a survivor and the retry lands there.
/// </summary>
public sealed partial class StreamEnqueueRetryFilter(ILogger<StreamEnqueueRetryFilter> logger) : IOutgoingGrainCallFilter
{
    /// <summary>Attempts before the failure is passed on.</summary>
    public const int MaxAttempts = 12;

    private const string QueueInterface = "IMemoryStreamQueueGrain";

    /// <inheritdoc/>
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.InterfaceName.EndsWith(QueueInterface, StringComparison.Ordinal) || context.MethodName != "Enqueue")
        {
            await context.Invoke();
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await context.Invoke();
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e))
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 50 * (1 << Math.Min(attempt, 7))));
                LogEnqueueRetried(logger, attempt, delay.TotalMilliseconds, e.Message);
                await Task.Delay(delay);
            }
        }
    }

    /// <summary>A queue at its cap, or a queue whose silo is gone or unreachable.</summary>
    private static bool IsTransient(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
        || (e is InvalidOperationException && e.Message.Contains("maximum", StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream enqueue retried (attempt {Attempt}, next in {DelayMs} ms): {Reason}")]
    private static partial void LogEnqueueRetried(ILogger logger, int attempt, double delayMs, string reason);
}

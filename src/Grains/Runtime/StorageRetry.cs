using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Factory.Grains.Runtime;

/// <summary>
/// Retries a run's storage operations (journal appends, grain state writes) through a transient outage of the
/// database, such as a PostgreSQL restart: exponential back-off with jitter, at most
/// <see cref="MaxAttempts"/> retries (about half a minute in all), each logged. Conflicts (an etag or a journal
/// sequence that another writer moved) are not transient and are not retried.
/// </summary>
public sealed partial class StorageRetry
{
    /// <summary>Retries after the first attempt.</summary>
    public const int MaxAttempts = 8;

    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<StorageRetry> _logger;

    /// <summary>A retry that waits on <paramref name="time"/>.</summary>
    public StorageRetry(TimeProvider time, ILogger<StorageRetry> logger)
    {
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = MaxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(8),
                OnRetry = args =>
                {
                    var what = args.Context.Properties.GetValue(What, "storage operation");
                    LogRetrying(_logger, args.Outcome.Exception, what, args.AttemptNumber + 1, MaxAttempts, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    private static readonly ResiliencePropertyKey<string> What = new("factory.storage.what");

    /// <summary>Runs <paramref name="operation"/> (described by <paramref name="what"/> in the log), retrying transient failures.</summary>
    public async Task ExecuteAsync(string what, Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(What, what);
        try
        {
            await _pipeline.ExecuteAsync(static (ctx, op) => op(ctx.CancellationToken), context, operation);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Runs <paramref name="operation"/> (described by <paramref name="what"/> in the log), retrying transient failures; returns its result.</summary>
    public async Task<T> ExecuteAsync<T>(string what, Func<CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(What, what);
        try
        {
            return await _pipeline.ExecuteAsync(static (ctx, op) => op(ctx.CancellationToken), context, operation);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) is a lost or refused connection or a timeout, and not
    /// a conflict: such a failure may succeed when tried again.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        var transient = false;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Orleans.Storage.InconsistentStateException or Journal.JournalSequenceException or OperationCanceledException:
                    return false;
                case DbException db:
                    transient |= db.IsTransient || db.SqlState is null || db.SqlState.StartsWith("08", StringComparison.Ordinal) || db.SqlState.StartsWith("57P", StringComparison.Ordinal);
                    break;
                case SocketException or TimeoutException or IOException:
                    transient = true;
                    break;
            }
        }

        return transient;
    }
}

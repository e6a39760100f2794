using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Factory.Gateway.V1;

namespace Factory.Bench;

/// <summary>A tenant the bench created: its id, API key and its own blueprint variant.</summary>
public sealed record BenchTenant(string Id, Metadata Headers, string Yaml);

/// <summary>What one run's submitter and watcher saw.</summary>
public sealed class RunRecord
{
    /// <summary>The run's number in the invocation.</summary>
    public int Index { get; init; }

    /// <summary>The run id the gateway returned.</summary>
    public string RunId { get; set; } = "";

    /// <summary>The tenant.</summary>
    public BenchTenant Tenant { get; init; } = null!;

    /// <summary>Seconds since the load began, when the submission was sent.</summary>
    public double SubmittedAt { get; set; }

    /// <summary>Submit latency, ms.</summary>
    public double SubmitMs { get; set; }

    /// <summary>Seconds since the load began, when the first and the last event reached the watcher.</summary>
    public double FirstEventAt { get; set; } = double.NaN;

    /// <summary>Seconds since the load began, when the last event reached the watcher.</summary>
    public double LastEventAt { get; set; } = double.NaN;

    /// <summary>Events delivered to the watcher (each sequence counted once).</summary>
    public long Delivered { get; set; }

    /// <summary>Events delivered twice (a sequence seen again).</summary>
    public long Duplicates { get; set; }

    /// <summary>Sequences skipped.</summary>
    public long Gaps { get; set; }

    /// <summary><c>AgentCompleted</c> events.</summary>
    public long AgentSteps { get; set; }

    /// <summary>The terminal event's type, once seen.</summary>
    public string Terminal { get; set; } = "";

    /// <summary>Watch streams reopened after a failure.</summary>
    public int Reconnects { get; set; }

    /// <summary>What failed, when the run could not be driven to its end.</summary>
    public string Error { get; set; } = "";

    /// <summary>Times (seconds since the load began) each event reached the watcher, kept only while a kill is measured.</summary>
    public List<double>? EventTimes { get; set; }
}

/// <summary>
/// Drives the load through the gateways: up to <c>inFlight</c> runs at once, each submitted with its tenant's key to
/// one of the gateways (round robin), and watched on <c>WatchRun</c> from sequence 0 to its terminal event; a broken
/// watch is reopened from its last sequence + 1 on another gateway, a failed submission retried with the same
/// idempotency key. At most <c>submitConcurrency</c> submissions are outstanding at once, as many clients would send
/// them, so that a submission's latency is the gateway's answer time under the load, not a wait behind the bench's own burst.
/// </summary>
public sealed class LoadDriver(IReadOnlyList<SiloProcess> silos, IReadOnlyList<BenchTenant> tenants, string runToken, bool recordEventTimes, int submitConcurrency)
{
    private readonly SemaphoreSlim _submitting = new(submitConcurrency);
    private readonly V1.Runs.RunsClient[] _clients = [.. silos.Select(s => new V1.Runs.RunsClient(Channel(s.Gateway)))];
    private readonly Stopwatch _clock = new();

    /// <summary>Seconds since the load began.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>The runs submitted so far.</summary>
    public ConcurrentDictionary<int, RunRecord> Runs { get; } = new();

    /// <summary>Creates a channel to a gateway that opens more HTTP/2 connections when one is full.</summary>
    public static GrpcChannel Channel(Uri gateway) => GrpcChannel.ForAddress(gateway, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        },
        MaxReceiveMessageSize = 16 * 1024 * 1024,
    });

    /// <summary>Runs <paramref name="runs"/> runs, at most <paramref name="inFlight"/> at once; returns the wall time.</summary>
    public async Task<double> RunAsync(int runs, int inFlight, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(inFlight);
        var all = new List<Task>(runs);
        _clock.Start();
        for (var i = 0; i < runs; i++)
        {
            await slots.WaitAsync(cancellationToken);
            var record = new RunRecord { Index = i, Tenant = tenants[i % tenants.Count], EventTimes = recordEventTimes ? [] : null };
            Runs[i] = record;
            all.Add(Task.Run(async () =>
            {
                try
                {
                    await DriveAsync(record, cancellationToken);
                }
                finally
                {
                    slots.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(all);
        return Now;
    }

    /// <summary>The runs submitted and not yet ended.</summary>
    public IEnumerable<RunRecord> InFlight => Runs.Values.Where(r => r.RunId.Length > 0 && r.Terminal.Length == 0);

    private V1.Runs.RunsClient Client(int attempt, int index)
    {
        for (var k = 0; k < silos.Count; k++)
        {
            var i = (index + attempt + k) % silos.Count;
            if (!silos[i].Killed)
            {
                return _clients[i];
            }
        }

        throw new InvalidOperationException("Every silo is down.");
    }

    private async Task DriveAsync(RunRecord record, CancellationToken cancellationToken)
    {
        var request = new V1.SubmitRunRequest { Yaml = record.Tenant.Yaml, IdempotencyKey = $"{runToken}-{record.Index.ToString(CultureInfo.InvariantCulture)}" };
        await _submitting.WaitAsync(cancellationToken);
        try
        {
            record.SubmittedAt = Now;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var response = await Client(attempt, record.Index).SubmitRunAsync(request, record.Tenant.Headers, cancellationToken: cancellationToken);
                    record.RunId = response.RunId;
                    record.SubmitMs = (Now - record.SubmittedAt) * 1000;
                    break;
                }
                catch (RpcException e) when (Retryable(e) && attempt < 20)
                {
                    await Task.Delay(Backoff(attempt), cancellationToken);
                }
                catch (RpcException e)
                {
                    record.Error = $"submit: {e.StatusCode}: {e.Status.Detail}";
                    return;
                }
            }
        }
        finally
        {
            _submitting.Release();
        }

        long next = 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var call = Client(attempt, record.Index).WatchRun(
                    new V1.WatchRunRequest { RunId = record.RunId, FromSequence = next }, record.Tenant.Headers, cancellationToken: cancellationToken);
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var e = call.ResponseStream.Current;
                    var at = Now;
                    if (e.Sequence < next)
                    {
                        record.Duplicates++;
                        continue;
                    }

                    if (e.Sequence > next)
                    {
                        record.Gaps += e.Sequence - next;
                    }

                    next = e.Sequence + 1;
                    record.Delivered++;
                    record.EventTimes?.Add(at);
                    if (double.IsNaN(record.FirstEventAt))
                    {
                        record.FirstEventAt = at;
                    }

                    record.LastEventAt = at;
                    if (e.Type == "AgentCompleted")
                    {
                        record.AgentSteps++;
                    }
                    else if (e.Type is "RunSucceeded" or "RunFailed" or "RunBlocked" or "RunCancelled")
                    {
                        record.Terminal = e.Type;
                    }
                }

                if (record.Terminal.Length > 0)
                {
                    return;
                }
            }
            catch (RpcException e) when (Retryable(e) && attempt < 40)
            {
            }
            catch (RpcException e)
            {
                record.Error = $"watch: {e.StatusCode}: {e.Status.Detail}";
                return;
            }

            if (attempt >= 40)
            {
                record.Error = "watch: gave up after 40 attempts without the run's end";
                return;
            }

            record.Reconnects++;
            await Task.Delay(Backoff(attempt), cancellationToken);
        }
    }

    private static bool Retryable(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.Cancelled;

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(attempt, 5))));
}

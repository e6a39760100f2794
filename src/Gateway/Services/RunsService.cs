using System.Threading.Channels;
using Factory.Gateway.Errors;
using Factory.Gateway.Security;
using Google.Protobuf;
using Grpc.Core;
using Orleans.Streams;

namespace Factory.Gateway.Services;

/// <summary>
/// Runs of the caller's tenant. Every call on a run first asks the tenant whether the run is its own, so a
/// run of another tenant answers NOT_FOUND exactly as a missing one.
/// </summary>
public sealed partial class RunsService(IClusterClient cluster) : V1.Runs.RunsBase
{
    /// <summary>Bytes per <see cref="V1.ArtifactChunk"/>.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Summaries a slow WatchTenant caller may fall behind by; older ones are dropped.</summary>
    public const int TenantWatchBuffer = 1024;

    /// <summary>Most events of a WatchRun stream written before a flush.</summary>
    private const int MaxUnflushedEvents = 64;

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    private const int ReadSize = 16 * ChunkSize;
    private const int MaxIdempotencyKeyLength = 128;
    private const int MaxCommentLength = 2000;

    /// <inheritdoc/>
    public override async Task<V1.SubmitRunResponse> SubmitRun(V1.SubmitRunRequest request, ServerCallContext context)
    {
        var tenantId = context.TenantId();
        if (request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw GatewayErrors.InvalidField("idempotency_key", $"at most {MaxIdempotencyKeyLength} characters");
        }

        if (request.BlueprintCase == V1.SubmitRunRequest.BlueprintOneofCase.Prompt
            && await cluster.GetGrain<ITenantGrain>(tenantId).FindSubmissionAsync(request.IdempotencyKey) is { } earlier)
        {
            // A repeated prompt submission: the run it started, without planning again.
            return new V1.SubmitRunResponse { RunId = earlier.RunId, TraceId = earlier.TraceId, Existing = true };
        }

        var planned = request.BlueprintCase == V1.SubmitRunRequest.BlueprintOneofCase.Prompt
            ? await cluster.GetGrain<IPlannerGrain>(tenantId).PlanAsync(request.Prompt)
            : null;
        var json = request.BlueprintCase switch
        {
            V1.SubmitRunRequest.BlueprintOneofCase.Yaml => BlueprintEdge.CanonicalJson(request.Yaml),
            V1.SubmitRunRequest.BlueprintOneofCase.Registered => await RegisteredJsonAsync(tenantId, request.Registered),
            V1.SubmitRunRequest.BlueprintOneofCase.Prompt => planned!.CanonicalJson,
            _ => throw GatewayErrors.InvalidField("blueprint", "set yaml (the blueprint document), registered (name@version) or prompt"),
        };

        var submission = await cluster.GetGrain<ITenantGrain>(tenantId).SubmitRunAsync(new RunRequest
        {
            BlueprintJson = json,
            IdempotencyKey = request.IdempotencyKey,
            Prompt = planned is null ? "" : request.Prompt,
            PlannerExchanges = planned?.Exchanges ?? [],
        });
        return new V1.SubmitRunResponse { RunId = submission.RunId, TraceId = submission.TraceId, Existing = submission.Existing };
    }

    /// <inheritdoc/>
    public override async Task<V1.Run> GetRun(V1.GetRunRequest request, ServerCallContext context)
    {
        var run = await OwnedRunAsync(context, request.RunId);
        return ProtoMapper.ToProto(await run.GetSnapshotAsync());
    }

    /// <inheritdoc/>
    public override async Task<V1.ListRunsResponse> ListRuns(V1.ListRunsRequest request, ServerCallContext context)
    {
        var query = ProtoMapper.FromProto(request);
        var page = await cluster.GetGrain<ITenantGrain>(context.TenantId()).QueryRunsAsync(query);
        var statuses = await Task.WhenAll(page.Runs.Select(async r => (await cluster.GetGrain<IRunGrain>(r.RunId).GetSnapshotAsync()).Status));
        var response = new V1.ListRunsResponse { NextPageToken = page.NextPageToken };
        response.Runs.AddRange(page.Runs.Select((r, i) => ProtoMapper.ToProto(r, statuses[i])));
        return response;
    }

    /// <inheritdoc/>
    public override async Task<V1.Run> CancelRun(V1.CancelRunRequest request, ServerCallContext context)
    {
        var run = await OwnedRunAsync(context, request.RunId);
        var reason = request.Reason.Length > 0 ? request.Reason : "cancelled on request";
        return ProtoMapper.ToProto(await run.CancelAsync(reason));
    }

    /// <inheritdoc/>
    public override async Task WatchRun(V1.WatchRunRequest request, IServerStreamWriter<V1.TraceEvent> responseStream, ServerCallContext context)
    {
        if (request.FromSequence < 0)
        {
            throw GatewayErrors.InvalidField("from_sequence", "must be 0 or more");
        }

        var run = await OwnedRunAsync(context, request.RunId);
        var cancellation = context.CancellationToken;
        var response = context.GetHttpContext().Response.BodyWriter;
        await using var events = run.WatchAsync(request.FromSequence, cancellation).GetAsyncEnumerator(cancellation);
        responseStream.WriteOptions = BufferedWrite;
        var unflushed = 0;
        var next = events.MoveNextAsync();
        while (true)
        {
            // Events that arrived together go out together: a write is flushed to the socket only once nothing
            // more is ready to send (or after a bounded number of them), not once per event.
            if (unflushed > 0 && (!next.IsCompleted || unflushed >= MaxUnflushedEvents))
            {
                await response.FlushAsync(cancellation);
                unflushed = 0;
            }

            if (!await next)
            {
                break;
            }

            await responseStream.WriteAsync(ProtoMapper.ToProto(events.Current), cancellation);
            unflushed++;
            next = events.MoveNextAsync();
        }

        if (unflushed > 0)
        {
            await response.FlushAsync(cancellation);
        }
    }

    /// <inheritdoc/>
    public override async Task WatchTenant(V1.WatchTenantRequest request, IServerStreamWriter<V1.RunSummary> responseStream, ServerCallContext context)
    {
        var tenantId = context.TenantId();
        var cancellation = context.CancellationToken;
        var summaries = Channel.CreateBounded<RunSummary>(new BoundedChannelOptions(TenantWatchBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var stream = cluster.GetStreamProvider(FactoryNames.StreamProvider)
            .GetStream<RunSummary>(StreamId.Create(FactoryNames.TenantRunsNamespace, tenantId));
        var subscription = await stream.SubscribeAsync((summary, _) =>
        {
            summaries.Writer.TryWrite(summary);
            return Task.CompletedTask;
        });
        try
        {
            // Headers go out once the subscription is in place: a caller that awaits them misses nothing after.
            await context.WriteResponseHeadersAsync([]);
            await foreach (var summary in summaries.Reader.ReadAllAsync(cancellation))
            {
                if (summary.TenantId == tenantId)
                {
                    await responseStream.WriteAsync(ProtoMapper.ToProto(summary), cancellation);
                }
            }
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    /// <inheritdoc/>
    public override async Task<V1.ListArtifactsResponse> ListArtifacts(V1.ListArtifactsRequest request, ServerCallContext context)
    {
        var run = await OwnedRunAsync(context, request.RunId);
        var snapshot = await run.GetSnapshotAsync();
        var response = new V1.ListArtifactsResponse();
        response.Artifacts.AddRange(snapshot.Artifacts.Select(ProtoMapper.ToProto));
        return response;
    }

    /// <inheritdoc/>
    public override async Task GetArtifact(V1.GetArtifactRequest request, IServerStreamWriter<V1.ArtifactChunk> responseStream, ServerCallContext context)
    {
        if (request.Path.Length == 0)
        {
            throw GatewayErrors.InvalidField("path", "name the artifact's path, e.g. appointments/src/Program.cs");
        }

        var run = await OwnedRunAsync(context, request.RunId);
        var snapshot = await run.GetSnapshotAsync();
        var artifact = snapshot.Artifacts.FirstOrDefault(a => a.Path == request.Path)
            ?? throw GatewayErrors.Status(StatusCode.NotFound, $"Run '{request.RunId}' has no artifact '{request.Path}'.");

        var content = cluster.GetGrain<IArtifactContentGrain>(0);
        var cancellation = context.CancellationToken;
        var first = true;
        long offset = 0;
        do
        {
            var slice = artifact.Size == 0 ? [] : await content.ReadAsync(artifact.Sha256, offset, ReadSize)
                ?? throw GatewayErrors.Status(StatusCode.DataLoss, $"The content of artifact '{artifact.Path}' (sha256 {artifact.Sha256}) is missing from the store.");
            if (slice.Length == 0 && offset < artifact.Size)
            {
                throw GatewayErrors.Status(StatusCode.DataLoss, $"The stored content of artifact '{artifact.Path}' is shorter than its recorded size.");
            }

            var at = 0;
            do
            {
                var length = Math.Min(ChunkSize, slice.Length - at);
                var chunk = new V1.ArtifactChunk { Offset = offset + at, Data = ByteString.CopyFrom(slice, at, length) };
                if (first)
                {
                    chunk.Artifact = ProtoMapper.ToProto(artifact);
                    first = false;
                }

                await responseStream.WriteAsync(chunk, cancellation);
                at += length;
            }
            while (at < slice.Length);

            offset += slice.Length;
        }
        while (offset < artifact.Size);
    }

    /// <inheritdoc/>
    public override async Task<V1.SubmitFeedbackResponse> SubmitFeedback(V1.SubmitFeedbackRequest request, ServerCallContext context)
    {
        if (request.Score is < 1 or > 5)
        {
            throw GatewayErrors.InvalidField("score", "must be 1 (poor) to 5 (excellent)");
        }

        if (request.Comment.Length > MaxCommentLength)
        {
            throw GatewayErrors.InvalidField("comment", $"at most {MaxCommentLength} characters");
        }

        var run = await OwnedRunAsync(context, request.RunId);
        var sequence = await run.SubmitFeedbackAsync(ProtoMapper.FromProto(request, context.Caller().KeyId));
        return new V1.SubmitFeedbackResponse { Sequence = sequence };
    }

    /// <summary>The run, when it is the caller's tenant's; otherwise NOT_FOUND, as for a run that does not exist.</summary>
    private async Task<IRunGrain> OwnedRunAsync(ServerCallContext context, string runId)
    {
        if (runId.Length == 0)
        {
            throw GatewayErrors.InvalidField("run_id", "name the run");
        }

        if (!await cluster.GetGrain<ITenantGrain>(context.TenantId()).OwnsRunAsync(runId))
        {
            throw new RunNotFoundException(runId);
        }

        return cluster.GetGrain<IRunGrain>(runId);
    }

    private async Task<string> RegisteredJsonAsync(string tenantId, string registered)
    {
        var at = registered.LastIndexOf('@');
        if (at <= 0 || at == registered.Length - 1)
        {
            throw GatewayErrors.InvalidField("registered", $"'{registered}' is not name@version, e.g. clinic-appointments@1.0.0");
        }

        var (name, version) = (registered[..at], registered[(at + 1)..]);
        var blueprint = await cluster.GetGrain<IBlueprintRegistryGrain>(tenantId).GetAsync(name, version)
            ?? throw GatewayErrors.Status(StatusCode.NotFound, $"Blueprint {name}@{version} is not registered.");
        return blueprint.CanonicalJson;
    }
}

using Factory.Bundles;
using Factory.Gateway.Errors;
using Factory.Gateway.Security;
using Google.Protobuf;
using Grpc.Core;

namespace Factory.Gateway.Services;

/// <summary>Trace bundles, replay and diff of the caller's tenant's runs.</summary>
public sealed partial class RunsService
{
    /// <inheritdoc/>
    public override async Task GetBundle(V1.GetBundleRequest request, IServerStreamWriter<V1.BundleChunk> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var run = await EndedRunAsync(context, "run_id", request.RunId);
        var bundle = await new RunBundleBuilder(cluster).BuildAsync(run, cancellation);
        using var zip = new MemoryStream();
        await TraceBundleFile.WriteAsync(zip, bundle, cancellation);
        var bytes = zip.GetBuffer().AsMemory(0, (int)zip.Length);
        var sha256 = ContentHash.Sha256Hex(bytes.Span);
        var offset = 0;
        do
        {
            var length = Math.Min(ChunkSize, bytes.Length - offset);
            var chunk = new V1.BundleChunk { Offset = offset, Data = ByteString.CopyFrom(bytes.Span.Slice(offset, length)) };
            if (offset == 0)
            {
                chunk.Size = bytes.Length;
                chunk.Sha256 = sha256;
            }

            await responseStream.WriteAsync(chunk, cancellation);
            offset += length;
        }
        while (offset < bytes.Length);
    }

    /// <inheritdoc/>
    public override async Task<V1.ReplayRunResponse> ReplayRun(V1.ReplayRunRequest request, ServerCallContext context)
    {
        if (request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw GatewayErrors.InvalidField("idempotency_key", $"at most {MaxIdempotencyKeyLength} characters");
        }

        var tenantId = context.TenantId();
        var run = await (await OwnedRunAsync(context, request.RunId)).GetSnapshotAsync();
        var builder = new RunBundleBuilder(cluster);
        var cancellation = context.CancellationToken;
        var blueprintJson = await builder.ReadBlueprintJsonAsync(run.BlueprintHash, cancellation);
        var baselineJson = run.BaselineBlueprintHash.Length == 0 ? "" : await builder.ReadBlueprintJsonAsync(run.BaselineBlueprintHash, cancellation);
        var submission = await cluster.GetGrain<ITenantGrain>(tenantId).SubmitRunAsync(new RunRequest
        {
            BlueprintJson = blueprintJson,
            BaselineBlueprintJson = baselineJson,
            BaselineRecorded = true,
            IdempotencyKey = request.IdempotencyKey,
            Replay = true,
            RecordedExchanges = LlmTrace.Recorded(await ReadJournalAsync(run.RunId, cancellation)),
        });
        return new V1.ReplayRunResponse { RunId = submission.RunId, TraceId = submission.TraceId, ReplayOf = run.RunId, Existing = submission.Existing };
    }

    /// <inheritdoc/>
    public override async Task<V1.DiffRunsResponse> DiffRuns(V1.DiffRunsRequest request, ServerCallContext context)
    {
        if (request.RunA.Length == 0 || request.RunB.Length == 0)
        {
            throw GatewayErrors.InvalidField(request.RunA.Length == 0 ? "run_a" : "run_b", "name the run");
        }

        var cancellation = context.CancellationToken;
        var a = await EndedRunAsync(context, "run_a", request.RunA);
        var b = await EndedRunAsync(context, "run_b", request.RunB);
        var builder = new RunBundleBuilder(cluster);
        var bundleA = await builder.BuildAsync(a, cancellation);
        var bundleB = await builder.BuildAsync(b, cancellation);
        return ProtoMapper.ToProto(BundleDiff.Compare(bundleA, bundleB));
    }

    /// <summary>
    /// The final snapshot of the caller's tenant's run <paramref name="runId"/> (named by request field
    /// <paramref name="field"/>); NOT_FOUND for another tenant's, FAILED_PRECONDITION while it runs.
    /// </summary>
    private async Task<RunSnapshot> EndedRunAsync(ServerCallContext context, string field, string runId)
    {
        if (runId.Length == 0)
        {
            throw GatewayErrors.InvalidField(field, "name the run");
        }

        var snapshot = await (await OwnedRunAsync(context, runId)).GetSnapshotAsync();
        if (snapshot.Status is RunStatus.None or RunStatus.Running)
        {
            throw GatewayErrors.Status(StatusCode.FailedPrecondition, $"Run '{runId}' has not ended (status {snapshot.Status}); wait for its end.");
        }

        return snapshot;
    }

    /// <summary>The run's whole journal, page by page.</summary>
    private async Task<List<TraceEvent>> ReadJournalAsync(string runId, CancellationToken cancellationToken)
    {
        var grain = cluster.GetGrain<IRunGrain>(runId);
        var events = new List<TraceEvent>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await grain.ReadJournalAsync(events.Count, 1000);
            events.AddRange(page);
            if (page.Length < 1000)
            {
                return events;
            }
        }
    }
}

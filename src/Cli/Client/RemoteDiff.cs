using Factory.Bundles;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Client;

/// <summary>
/// Two runs compared by the gateway (<c>DiffRuns</c>), as the run library's <see cref="BundleDiff"/> so that
/// <c>factory diff</c> prints a remote comparison exactly as a local one.
/// </summary>
internal static class RemoteDiff
{
    /// <summary>Asks the gateway what differs between <paramref name="runA"/> (old) and <paramref name="runB"/> (new), and for both runs' headlines.</summary>
    public static async Task<BundleDiff> CompareAsync(GatewayConnection connection, string runA, string runB, CancellationToken cancellationToken)
    {
        var runs = connection.Runs;
        var diff = await runs.DiffRunsAsync(new V1.DiffRunsRequest { RunA = runA, RunB = runB }, cancellationToken: cancellationToken);
        var a = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runA }, cancellationToken: cancellationToken);
        var b = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runB }, cancellationToken: cancellationToken);
        return ToBundleDiff(diff, a, b);
    }

    /// <summary>The gateway's diff of runs <paramref name="a"/> and <paramref name="b"/> as a <see cref="BundleDiff"/>.</summary>
    public static BundleDiff ToBundleDiff(V1.DiffRunsResponse diff, V1.Run a, V1.Run b) => new(
        ToManifest(a),
        ToManifest(b),
        [.. diff.RunChanges.Select(c => new RunFieldChange(c.Field, c.Old, c.New))],
        [.. diff.BlueprintChanges.Select(c => new BlueprintChange(c.Path, ToKind(c.Kind), c.HasOld ? c.Old : null, c.HasNew ? c.New : null))],
        [.. diff.ArtifactChanges.Select(c => new ArtifactChange(
            c.Path, ToKind(c.Kind), c.HasOldSha256 ? c.OldSha256 : null, c.HasNewSha256 ? c.NewSha256 : null, c.HasUnifiedDiff ? c.UnifiedDiff : null))],
        [.. diff.GateChanges.Select(c => new GateChange(
            c.Module, c.Rule, ToKind(c.Kind), c.HasOld ? c.Old : null, c.HasNew ? c.New : null, c.HasOldSummary ? c.OldSummary : null, c.HasNewSummary ? c.NewSummary : null))]);

    /// <summary>
    /// What a diff's headline shows of a run. The gateway does not name the caller's tenant (it is the key's),
    /// so the tenant is empty; skills, artifacts and gates are in the diff itself.
    /// </summary>
    private static BundleManifest ToManifest(V1.Run run) => new()
    {
        FormatVersion = BundleManifest.CurrentFormatVersion,
        RunId = run.RunId,
        TenantId = "",
        TraceId = run.TraceId,
        Status = run.Status switch
        {
            V1.RunStatus.Running => RunStatus.Running,
            V1.RunStatus.Succeeded => RunStatus.Succeeded,
            V1.RunStatus.Failed => RunStatus.Failed,
            V1.RunStatus.Blocked => RunStatus.Blocked,
            V1.RunStatus.Cancelled => RunStatus.Cancelled,
            _ => RunStatus.None,
        },
        Reason = run.Reason,
        Blueprint = new BundleBlueprint(run.BlueprintName, run.BlueprintVersion, run.BlueprintSha256),
        TemplatePack = run.TemplatePack,
        Skills = [],
        Artifacts = [],
        Gates = [],
        Timings = new BundleTimings(run.SubmittedAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch, run.EndedAt?.ToDateTimeOffset(), null),
        EventCount = run.EventCount,
        CostUsd = (decimal)run.CostUsd,
    };

    private static ChangeKind ToKind(V1.ChangeKind kind) => kind switch
    {
        V1.ChangeKind.Added => ChangeKind.Added,
        V1.ChangeKind.Removed => ChangeKind.Removed,
        _ => ChangeKind.Changed,
    };
}

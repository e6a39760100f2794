using System.Collections.Immutable;
using System.Text;

namespace Factory.Bundles;

/// <summary>
/// Builds the trace bundle of a run through the cluster: its snapshot, its canonical blueprint and baseline
/// (stored in the artifact store under their hashes), its journal and its artifacts' content, read with
/// <see cref="IArtifactContentGrain"/>, so a process without access to the artifact store (a standalone
/// gateway) can build it.
/// </summary>
/// <param name="grains">The cluster's grains.</param>
public sealed class RunBundleBuilder(IGrainFactory grains)
{
    /// <summary>Events read from the journal per call.</summary>
    public const int JournalPageSize = 500;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bundle of the ended run whose final snapshot is <paramref name="run"/>.</summary>
    /// <exception cref="ArgumentException">The run has not ended.</exception>
    /// <exception cref="InvalidDataException">The blueprint, the baseline or an artifact is missing from the store or does not match its hash, or the journal is shorter than the run's event count.</exception>
    public async Task<TraceBundle> BuildAsync(RunSnapshot run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status is RunStatus.None or RunStatus.Running)
        {
            throw new ArgumentException($"Run '{run.RunId}' has not ended (status {run.Status}).", nameof(run));
        }

        var blueprintJson = Utf8.GetString(await ReadContentAsync(run.BlueprintHash, null, $"blueprint {run.BlueprintHash}", cancellationToken));
        var baselineJson = run.BaselineBlueprintHash.Length == 0
            ? ""
            : Utf8.GetString(await ReadContentAsync(run.BaselineBlueprintHash, null, $"baseline blueprint {run.BaselineBlueprintHash}", cancellationToken));
        var events = await ReadJournalAsync(run, cancellationToken);
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var artifact in run.Artifacts)
        {
            contents[artifact.Path] = await ReadContentAsync(artifact.Sha256, artifact.Size, $"artifact '{artifact.Path}'", cancellationToken);
        }

        return TraceBundle.Create(run, blueprintJson, events, contents, baselineJson);
    }

    /// <summary>The canonical JSON stored under <paramref name="sha256"/> (a blueprint's hash).</summary>
    /// <exception cref="InvalidDataException">It is missing from the store or does not match its hash.</exception>
    public async Task<string> ReadBlueprintJsonAsync(string sha256, CancellationToken cancellationToken = default) =>
        Utf8.GetString(await ReadContentAsync(sha256, null, $"blueprint {sha256}", cancellationToken));

    /// <summary>The run's first <see cref="RunSnapshot.EventCount"/> journaled events, serialized.</summary>
    private async Task<ImmutableArray<string>> ReadJournalAsync(RunSnapshot run, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IRunGrain>(run.RunId);
        var events = ImmutableArray.CreateBuilder<string>((int)Math.Min(run.EventCount, int.MaxValue));
        while (events.Count < run.EventCount)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var want = (int)Math.Min(JournalPageSize, run.EventCount - events.Count);
            var page = await grain.ReadJournalAsync(events.Count, want);
            if (page.IsEmpty)
            {
                throw new InvalidDataException($"The journal of run '{run.RunId}' holds {events.Count} events; its snapshot counts {run.EventCount}.");
            }

            events.AddRange(page.Take(want).Select(TraceEventJson.Serialize));
        }

        return events.ToImmutable();
    }

    private async Task<byte[]> ReadContentAsync(string sha256, long? size, string what, CancellationToken cancellationToken)
    {
        var reader = grains.GetGrain<IArtifactContentGrain>(0);
        using var buffer = new MemoryStream();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (size is { } expected && buffer.Length >= expected)
            {
                break;
            }

            var slice = await reader.ReadAsync(sha256, buffer.Length, IArtifactContentGrain.MaxCount)
                ?? throw new InvalidDataException($"The {what} (sha256 {sha256}) is not in the artifact store.");
            buffer.Write(slice);
            if (slice.Length < IArtifactContentGrain.MaxCount)
            {
                break;
            }
        }

        var content = buffer.ToArray();
        var actual = ContentHash.Sha256Hex(content);
        if (actual != sha256)
        {
            throw new InvalidDataException($"The stored {what} hashes to {actual}, not {sha256}.");
        }

        return content;
    }
}

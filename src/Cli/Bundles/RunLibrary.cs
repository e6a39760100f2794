using Factory.Bundles;
using Semver;

namespace Factory.Cli.Bundles;

/// <summary>
/// The local run library of the embedded mode: one bundle per run, <c>{root}/{runId}.zip</c>. Its default
/// folder is <c>factory/runs</c> under the user's local data folder, beside the default artifact store, or
/// <c>runs</c> beside the artifact store folder when one is given.
/// </summary>
internal sealed class RunLibrary(string root)
{
    /// <summary>The bundle file extension.</summary>
    public const string Extension = ".zip";

    /// <summary>The library folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The library folder for the given options.</summary>
    /// <param name="runs">An explicit folder (<c>--runs</c>), or null.</param>
    /// <param name="store">The artifact store folder (<c>--store</c>), or null for the default store.</param>
    public static RunLibrary For(string? runs, string? store)
    {
        if (runs is not null)
        {
            return new RunLibrary(runs);
        }

        if (store is not null)
        {
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(store)));
            return new RunLibrary(Path.Combine(parent ?? Path.GetFullPath(store), "runs"));
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return new RunLibrary(Path.Combine(data, "factory", "runs"));
    }

    /// <summary>Where the bundle of <paramref name="runId"/> is kept.</summary>
    public string PathOf(string runId) => Path.Combine(Root, runId + Extension);

    /// <summary>Saves a run's bundle; returns its path.</summary>
    public async Task<string> SaveAsync(TraceBundle bundle, CancellationToken cancellationToken)
    {
        var path = PathOf(bundle.Manifest.RunId);
        await TraceBundleFile.WriteAsync(path, bundle, cancellationToken);
        return path;
    }

    /// <summary>
    /// The canonical JSON of the blueprint of <paramref name="tenant"/>'s promoted run (it ended
    /// <see cref="RunStatus.Succeeded"/>) of the blueprint named <paramref name="blueprintName"/> with the highest
    /// version, or empty when the library holds none. Bundles that cannot be read are passed over.
    /// </summary>
    public async Task<string> FindPromotedBlueprintAsync(string tenant, string blueprintName, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Root))
        {
            return "";
        }

        (string Path, SemVersion Version)? best = null;
        foreach (var path in Directory.EnumerateFiles(Root, "*" + Extension))
        {
            BundleManifest manifest;
            try
            {
                manifest = await TraceBundleFile.ReadManifestAsync(path, cancellationToken);
            }
            catch (Exception ex) when (ex is BundleFormatException or IOException)
            {
                continue;
            }

            if (manifest.Status == RunStatus.Succeeded && manifest.TenantId == tenant && manifest.Blueprint.Name == blueprintName
                && SemVersion.TryParse(manifest.Blueprint.Version, out var version)
                && (best is null || SemVersion.ComparePrecedence(version, best.Value.Version) > 0))
            {
                best = (path, version);
            }
        }

        return best is null ? "" : (await TraceBundleFile.ReadAsync(best.Value.Path, cancellationToken)).BlueprintJson;
    }

    /// <summary>
    /// The bundle of the run whose id is <paramref name="idOrPrefix"/> or, failing that, the only run whose id
    /// starts with it.
    /// </summary>
    /// <exception cref="RunNotInLibraryException">No run, or more than one, matches.</exception>
    public string Find(string idOrPrefix)
    {
        var valid = idOrPrefix.Length > 0 && idOrPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
        if (valid && File.Exists(PathOf(idOrPrefix)))
        {
            return PathOf(idOrPrefix);
        }

        var matches = !valid || !Directory.Exists(Root)
            ? []
            : Directory.EnumerateFiles(Root, "*" + Extension)
                .Select(f => Path.GetFileNameWithoutExtension(f))
                .Where(id => id.StartsWith(idOrPrefix, StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
        return matches.Count switch
        {
            1 => PathOf(matches[0]),
            0 => throw new RunNotInLibraryException(idOrPrefix, Root, []),
            _ => throw new RunNotInLibraryException(idOrPrefix, Root, matches),
        };
    }
}

/// <summary>No saved run, or more than one, matches a run id or prefix.</summary>
internal sealed class RunNotInLibraryException(string runId, string library, IReadOnlyList<string> candidates)
    : Exception(candidates.Count == 0
        ? $"no run '{runId}' in the run library {library}"
        : $"'{runId}' is the prefix of {candidates.Count} runs in {library}: {string.Join(", ", candidates.Take(5))}{(candidates.Count > 5 ? ", ..." : "")}")
{
    /// <summary>The run id or prefix that was asked for.</summary>
    public string RunId { get; } = runId;

    /// <summary>The ids that share the prefix; empty when none matched.</summary>
    public IReadOnlyList<string> Candidates { get; } = candidates;
}

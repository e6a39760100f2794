using System.Collections.Immutable;
using System.Globalization;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Factory.Grains.Gates;

/// <summary>
/// <c>compiles</c>: the module's C# under <c>src/</c> (the service project) compiles in process with Roslyn as the
/// SDK would build it: a net10.0 Web SDK project with implicit usings, the SDK's default source generators,
/// nullable enabled, warning level 10 and warnings treated as errors. It references the assemblies of the running process (its trusted platform
/// assemblies), so the host must carry what generated services use. Nothing is emitted. Findings are cached
/// by the SHA-256 of the sources and their paths, so the same sources are compiled once.
/// </summary>
public sealed class CompilesGate : IGate
{
    /// <summary>How many findings the cache keeps by default.</summary>
    public const int DefaultCacheCapacity = 64;

    /// <summary>The warning level of a net10.0 project.</summary>
    private const int WarningLevel = 10;

    /// <summary>The global usings the Web SDK adds with <c>ImplicitUsings</c> enabled.</summary>
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json",
        "System.Threading", "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    /// <summary>The path of the synthetic global-usings file (as the SDK names it under obj/).</summary>
    private const string GlobalUsingsPath = "obj/GlobalUsings.g.cs";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static readonly CSharpCompilationOptions Options = new CSharpCompilationOptions(
            OutputKind.ConsoleApplication,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: WarningLevel,
            deterministic: true,
            concurrentBuild: false)
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
        {
            // The SDK's default NoWarn: assembly-unification notices.
            ["CS1701"] = ReportDiagnostic.Suppress,
            ["CS1702"] = ReportDiagnostic.Suppress,
        });

    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Lazy<GateFinding>> _cache = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private int _compilations;

    /// <summary>Creates the gate with a cache of <see cref="DefaultCacheCapacity"/> findings.</summary>
    public CompilesGate()
        : this(DefaultCacheCapacity)
    {
    }

    /// <summary>Creates the gate with a cache of <paramref name="cacheCapacity"/> findings.</summary>
    public CompilesGate(int cacheCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        _capacity = cacheCapacity;
    }

    /// <inheritdoc />
    public string RuleId => GateRuleIds.Compiles;

    /// <summary>How many compilations this gate has run (cache hits do not count).</summary>
    public int CompilationCount => Volatile.Read(ref _compilations);

    /// <inheritdoc />
    public async ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var sources = GateSupport.CSharpUnder(context, GateSupport.SourceFolder);
        if (sources.Count == 0)
        {
            return new GateFinding("0 files compiled", [new GateViolation(RuleId, "", "the module has no C# sources under src/ to compile")]);
        }

        var key = KeyOf(sources);

        Lazy<GateFinding> entry;
        lock (_lock)
        {
            if (!_cache.TryGetValue(key, out var cached))
            {
                cached = new Lazy<GateFinding>(() => Compile(sources), LazyThreadSafetyMode.ExecutionAndPublication);
                _cache.Add(key, cached);
                _order.Enqueue(key);
                while (_cache.Count > _capacity && _order.TryDequeue(out var oldest))
                {
                    _cache.Remove(oldest);
                }
            }

            entry = cached;
        }

        try
        {
            // A compilation is seconds of CPU: it runs on the thread pool, not on the caller's (a grain's) scheduler.
            return entry.IsValueCreated ? entry.Value : await Task.Run(() => entry.Value, cancellationToken);
        }
        catch
        {
            // A compilation that threw is not a finding: let the next evaluation try again.
            lock (_lock)
            {
                if (_cache.TryGetValue(key, out var current) && current == entry)
                {
                    _cache.Remove(key);
                }
            }

            throw;
        }
    }

    private GateFinding Compile(IReadOnlyList<GateArtifact> sources)
    {
        Interlocked.Increment(ref _compilations);
        var trees = GateSupport.Parse(sources, CancellationToken.None).ToList();
        var globalUsings = string.Concat(ImplicitUsings.Select(u => "global using global::" + u + ";\n"));
        trees.Add(CSharpSyntaxTree.ParseText(globalUsings, GateSupport.ParseOptions, GlobalUsingsPath, Encoding.UTF8));

        Compilation compilation = CSharpCompilation.Create("GeneratedService", trees, References.Value, Options);
        var generated = ImmutableArray<Diagnostic>.Empty;
        if (!SdkSourceGenerators.All.IsEmpty)
        {
            CSharpGeneratorDriver.Create(SdkSourceGenerators.All, parseOptions: GateSupport.ParseOptions)
                .RunGeneratorsAndUpdateCompilation(compilation, out compilation, out generated);
        }

        var diagnostics = generated.Concat(compilation.GetDiagnostics())
            .Where(d => !d.IsSuppressed && d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .Select(d => (Diagnostic: d, Span: d.Location.GetLineSpan()))
            .OrderBy(d => d.Span.Path, StringComparer.Ordinal)
            .ThenBy(d => d.Span.StartLinePosition.Line)
            .ThenBy(d => d.Span.StartLinePosition.Character)
            .ThenBy(d => d.Diagnostic.Id, StringComparer.Ordinal)
            .ToList();

        var violations = diagnostics
            .Select(d => new GateViolation(
                RuleId,
                d.Diagnostic.Location.IsInSource ? Position(d.Span) : "",
                $"{d.Diagnostic.Id}: {d.Diagnostic.GetMessage(CultureInfo.InvariantCulture)}"))
            .ToList();
        var errors = diagnostics.Count(d => d.Diagnostic.Severity == DiagnosticSeverity.Error);
        var warnings = diagnostics.Count - errors;
        var summary = $"{sources.Count} files compiled, {errors} errors" + (warnings > 0 ? $", {warnings} warnings (treated as errors)" : "");
        return new GateFinding(summary, violations);
    }

    private static string Position(FileLinePositionSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"{span.Path}:{span.StartLinePosition.Line + 1}:{span.StartLinePosition.Character + 1}");

    /// <summary>The SHA-256 of every source's path and content, in order.</summary>
    private static string KeyOf(IReadOnlyList<GateArtifact> sources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[sizeof(long)];
        foreach (var source in sources)
        {
            var path = Encoding.UTF8.GetBytes(source.Path);
            BitConverter.TryWriteBytes(length, (long)path.Length);
            hash.AppendData(length);
            hash.AppendData(path);
            BitConverter.TryWriteBytes(length, (long)source.Content.Length);
            hash.AppendData(length);
            hash.AppendData(source.Content.Span);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The managed assemblies of the process's trusted platform assemblies (the shared frameworks and the
    /// host's packages), except the host's own <c>Factory.*</c> assemblies.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Factory.", StringComparison.Ordinal) || !IsManaged(path))
            {
                continue;
            }

            references.Add(MetadataReference.CreateFromFile(path));
        }

        return references.ToImmutable();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new PEReader(stream);
            return reader.HasMetadata;
        }
        catch (IOException)
        {
            return false;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}

using System.CommandLine;
using System.Security.Cryptography;
using Factory.Bundles;
using Factory.Cli.Bundles;
using Factory.Cli.Client;
using Grpc.Core;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Commands;

/// <summary>
/// <c>factory bundle RUN [--out FILE]</c>: exports a saved run's trace bundle from the run library; with
/// <c>--gateway</c>, downloads an ended run's bundle from the gateway, checked against its size and SHA-256 and
/// read back as a bundle.
/// </summary>
internal static class BundleCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "A saved run's id, or a prefix that names exactly one; with --gateway, a run id." };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Where to write the bundle (default: {runId}.zip in the current folder)." };
        var runs = new Option<DirectoryInfo?>("--runs") { Description = "Run library folder (default: factory/runs under the user's local data folder)." };
        var command = new Command("bundle", "Export a saved run's trace bundle: manifest, canonical blueprint, ordered events and artifacts.")
        {
            run, output, runs,
        };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (GatewayConnection.IsRequested(parse, gateway))
            {
                if (GatewayConnection.RefusesEmbeddedOptions(parse, errors, runs))
                {
                    return ExitCodes.InvalidInput;
                }

                var runId = parse.GetValue(run)!;
                var given = parse.GetValue(output);
                if (given is null && (runId.Length == 0 || runId.StartsWith('.') || runId.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0))
                {
                    errors.MarkupLine($"[red]'{Markup.Escape(runId)}' is not a run id that names a file; give --out FILE.[/]");
                    return ExitCodes.InvalidInput;
                }

                var path = given?.FullName ?? Path.GetFullPath(runId + RunLibrary.Extension);
                return await GatewayConnection.RunAsync(
                    parse, gateway, errors, runId, connection => DownloadAsync(connection.Runs, runId, path, console, errors, cancellationToken), cancellationToken);
            }

            var library = RunLibrary.For(parse.GetValue(runs)?.FullName, null);
            var reference = parse.GetValue(run)!;
            string source;
            try
            {
                source = library.Find(reference);
            }
            catch (RunNotInLibraryException ex)
            {
                errors.MarkupLine($"[red]{Markup.Escape(ex.Message)}.[/]");
                return ExitCodes.InvalidInput;
            }

            if (await BundleInput.OpenAsync(source, null, errors, cancellationToken) is not { } bundle)
            {
                return ExitCodes.InvalidInput;
            }

            var target = parse.GetValue(output)?.FullName ?? Path.GetFullPath(bundle.Manifest.RunId + RunLibrary.Extension);
            await TraceBundleFile.WriteAsync(target, bundle, cancellationToken);
            Written(console, bundle.Manifest, target);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Streams run <paramref name="runId"/>'s bundle from the gateway to <paramref name="target"/> (through a
    /// <c>.part</c> file beside it), checks its size and SHA-256 against the first chunk's, and reads it back
    /// with the bundle reader; nothing is left at <paramref name="target"/> unless all of that holds.
    /// </summary>
    private static async Task<int> DownloadAsync(V1.Runs.RunsClient runs, string runId, string target, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".part";
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            long? expectedSize = null;
            var expectedSha256 = "";
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                using var call = runs.GetBundle(new V1.GetBundleRequest { RunId = runId }, cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (expectedSize is null)
                    {
                        expectedSize = chunk.Size;
                        expectedSha256 = chunk.Sha256;
                    }

                    if (chunk.Offset != size)
                    {
                        throw new RpcException(new Grpc.Core.Status(StatusCode.DataLoss, $"run '{runId}''s bundle: a chunk at offset {chunk.Offset} where {size} was expected"));
                    }

                    var data = chunk.Data.Memory;
                    hash.AppendData(data.Span);
                    await file.WriteAsync(data, cancellationToken);
                    size += data.Length;
                }
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (size != expectedSize || sha256 != expectedSha256)
            {
                errors.MarkupLine($"[red]Run {Markup.Escape(runId)}'s bundle arrived as {size} bytes with sha256 {sha256}, where the gateway announced {expectedSize ?? 0} bytes with sha256 {Markup.Escape(expectedSha256)}; not written.[/]");
                return ExitCodes.RunFailed;
            }

            TraceBundle bundle;
            try
            {
                bundle = await TraceBundleFile.ReadAsync(partial, cancellationToken);
            }
            catch (BundleFormatException ex)
            {
                errors.MarkupLine($"[red]The gateway sent run {Markup.Escape(runId)}'s bundle intact, but it is not a valid trace bundle: {Markup.Escape(ex.Message)}; not written.[/]");
                return ExitCodes.RunFailed;
            }

            File.Move(partial, target, overwrite: true);
            Written(console, bundle.Manifest, target);
            return ExitCodes.Success;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static void Written(IAnsiConsole console, BundleManifest m, string target) =>
        console.MarkupLine($"Run [bold]{m.RunId}[/] of {Markup.Escape(m.Blueprint.Name)}@{Markup.Escape(m.Blueprint.Version)} ({m.Status}, {m.Artifacts.Count} artifacts, {m.EventCount} events) written to {Markup.Escape(target)}");
}

using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Factory.Cli.Client;
using Grpc.Core;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Commands.Client;

/// <summary>
/// <c>factory artifacts RUN [--download DIR]</c>: lists a run's artifacts, or downloads every one (streamed in
/// chunks) under DIR at its path, checking each against its SHA-256.
/// </summary>
internal static class ArtifactsCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var download = new Option<DirectoryInfo?>("--download") { Description = "Download every artifact under this folder, each checked against its SHA-256." };
        var command = new Command("artifacts", "List a run's artifacts, or download them.") { run, download };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run)!;
            var folder = parse.GetValue(download);
            return GatewayConnection.RunAsync(parse, gateway, errors, runId, async connection =>
            {
                var listed = await connection.Runs.ListArtifactsAsync(new V1.ListArtifactsRequest { RunId = runId }, cancellationToken: cancellationToken);
                if (folder is null)
                {
                    var table = new Table().AddColumn("path").AddColumn("kind").AddColumn(new TableColumn("size").RightAligned()).AddColumn("sha256");
                    foreach (var artifact in listed.Artifacts)
                    {
                        table.AddRow(Markup.Escape(artifact.Path), Markup.Escape(artifact.Kind), artifact.Size.ToString(CultureInfo.InvariantCulture), artifact.Sha256);
                    }

                    console.Write(table);
                    console.WriteLine($"{listed.Artifacts.Count} artifact(s)");
                    return ExitCodes.Success;
                }

                return await DownloadAsync(connection.Runs, runId, listed.Artifacts, folder, console, errors, cancellationToken);
            }, cancellationToken);
        });
        return command;
    }

    private static async Task<int> DownloadAsync(
        V1.Runs.RunsClient runs, string runId, IReadOnlyList<V1.Artifact> artifacts, DirectoryInfo folder, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(folder.FullName);
        Directory.CreateDirectory(root);
        long bytes = 0;
        var failed = 0;
        foreach (var artifact in artifacts)
        {
            // Artifact paths are validated by the server; a path that would leave the folder is still refused here.
            var target = Path.GetFullPath(Path.Combine(root, artifact.Path));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                errors.MarkupLine($"[red]{Markup.Escape(artifact.Path)}: the path leaves {Markup.Escape(root)}; not written.[/]");
                failed++;
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                using var call = runs.GetArtifact(new V1.GetArtifactRequest { RunId = runId, Path = artifact.Path }, cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (chunk.Offset != size)
                    {
                        throw new RpcException(new Grpc.Core.Status(StatusCode.DataLoss, $"artifact '{artifact.Path}': a chunk at offset {chunk.Offset} where {size} was expected"));
                    }

                    var data = chunk.Data.Memory;
                    hash.AppendData(data.Span);
                    await file.WriteAsync(data, cancellationToken);
                    size += data.Length;
                }
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (sha256 != artifact.Sha256 || size != artifact.Size)
            {
                errors.MarkupLine($"[red]{Markup.Escape(artifact.Path)}: sha256 {sha256} ({size} bytes) where the run recorded {artifact.Sha256} ({artifact.Size} bytes).[/]");
                failed++;
                continue;
            }

            bytes += size;
        }

        if (failed > 0)
        {
            errors.MarkupLine($"[red]{failed} of {artifacts.Count} artifact(s) did not download intact.[/]");
            return ExitCodes.RunFailed;
        }

        console.WriteLine($"{artifacts.Count} artifact(s), {bytes} bytes, written to {root}; every SHA-256 verified");
        return ExitCodes.Success;
    }
}

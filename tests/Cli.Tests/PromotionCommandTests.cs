using Factory.Bundles;

namespace Factory.Cli.Tests;

/// <summary>
/// Promotion across embedded runs: a succeeded run in the run library is the release a later version is
/// compared with, a breaking change blocks, and a replay compares with the same baseline its run did.
/// </summary>
public sealed class PromotionCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("factory-promotion-");

    public void Dispose() => _work.Delete(recursive: true);

    private string InWork(string name) => Path.Combine(_work.FullName, name);

    [Fact]
    public async Task ANewVersionThatRemovesAPromotedOperationIsBlockedAndItsReplayComparesWithTheSameBaseline()
    {
        var store = InWork("store");
        var v1 = CliHarness.Sample("clinic-appointments.yaml");
        var (first, firstOut, firstErr) = await CliHarness.InvokeAsync("run", v1, "--out", InWork("v1"), "--store", store, "--bundle", InWork("v1.zip"));
        Assert.True(first == ExitCodes.Success, $"exit {first}{Environment.NewLine}{firstOut}{Environment.NewLine}{firstErr}");
        var promoted = await TraceBundleFile.ReadAsync(InWork("v1.zip"), CancellationToken.None);
        Assert.Equal("", promoted.Manifest.BaselineSha256);

        // Version 1.1.0 drops GetAppointment, which 1.0.0 exposed and promoted.
        var lines = (await File.ReadAllTextAsync(v1)).ReplaceLineEndings("\n").Split('\n').ToList();
        var start = lines.FindIndex(l => l.Trim() == "- name: GetAppointment");
        lines.RemoveRange(start, 5);
        var v2 = InWork("clinic-v2.yaml");
        await File.WriteAllTextAsync(v2, string.Join('\n', lines).Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal));

        var (second, secondOut, secondErr) = await CliHarness.InvokeAsync("run", v2, "--out", InWork("v2"), "--store", store, "--bundle", InWork("v2.zip"));

        Assert.True(second == ExitCodes.RunBlocked, $"exit {second}{Environment.NewLine}{secondOut}{Environment.NewLine}{secondErr}");
        Assert.Contains("breaking-change", secondOut, StringComparison.Ordinal);
        Assert.Contains("GetAppointment", secondOut, StringComparison.Ordinal);
        var blocked = await TraceBundleFile.ReadAsync(InWork("v2.zip"), CancellationToken.None);
        Assert.Equal(promoted.Manifest.Blueprint.Sha256, blocked.Manifest.BaselineSha256);
        Assert.Equal(promoted.BlueprintJson, blocked.BaselineJson);

        // The replay runs on a fresh silo and a fresh store, yet compares with the recorded baseline: same verdict, same hashes.
        var (replay, replayOut, replayErr) = await CliHarness.InvokeAsync("replay", InWork("v2.zip"), "--store", InWork("replay-store"));
        Assert.True(replay == ExitCodes.Success, $"exit {replay}{Environment.NewLine}{replayOut}{Environment.NewLine}{replayErr}");
    }
}

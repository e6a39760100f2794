namespace Factory.Grains.Tests;

/// <summary>
/// Tests that run on a one-silo cluster whose template pack is an operator's folder: a copy of the
/// built-in pack that the test edits before the cluster starts.
/// </summary>
public abstract class OperatorPackCluster : IAsyncLifetime
{
    private FactoryCluster? _cluster;

    /// <summary>The operator's pack folder.</summary>
    protected string Pack { get; private set; } = "";

    /// <summary>The cluster's client.</summary>
    protected IClusterClient Client => (_cluster ?? throw new InvalidOperationException("The cluster is not started.")).Client;

    public async Task InitializeAsync()
    {
        Pack = RepositoryPaths.CopyTemplatePack(Directory.CreateTempSubdirectory("factory-pack-").FullName);
        await EditPackAsync();
        _cluster = await FactoryCluster.StartAsync(silos: 1, templatePackPath: Pack);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        Directory.Delete(Pack, recursive: true);
    }

    /// <summary>Edits <see cref="Pack"/> before the cluster starts.</summary>
    protected abstract Task EditPackAsync();

    /// <summary>Rewrites one template of the pack; the edit must change it.</summary>
    protected async Task EditTemplateAsync(string template, Func<string, string> edit)
    {
        var path = Path.Combine(Pack, template);
        var before = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        var after = edit(before);
        Assert.True(before != after, $"the edit did not change {template}");
        await File.WriteAllTextAsync(path, after);
    }
}

namespace Factory.Grains.Tests.Tenancy;

/// <summary>A tenant's registry of immutable blueprint versions.</summary>
public sealed class BlueprintRegistryTests(TenancyClusterFixture fixture) : IClassFixture<TenancyClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task RegisteringTheSameContentAgainReturnsTheExistingEntry()
    {
        var registry = Client.GetGrain<IBlueprintRegistryGrain>(Tenancy.NewTenantId("registry"));
        var json = Samples.CanonicalJson("todo-service.yaml");

        var registered = await registry.RegisterAsync(json);
        var again = await registry.RegisterAsync(json);

        Assert.Equal("todo-service", registered.Name);
        Assert.Equal("0.3.1", registered.Version);
        Assert.Equal(Factory.Blueprints.BlueprintCanonicalForm.Sha256Hex(json), registered.Sha256);
        Assert.Equal(json, registered.CanonicalJson);
        Assert.Equal(registered, again);
        Assert.Equal(registered, await registry.GetAsync("todo-service", "0.3.1"));
        Assert.Null(await registry.GetAsync("todo-service", "0.3.2"));
    }

    [Fact]
    public async Task OtherContentUnderARegisteredVersionIsAConflict()
    {
        var registry = Client.GetGrain<IBlueprintRegistryGrain>(Tenancy.NewTenantId("conflict"));
        var json = Samples.CanonicalJson("todo-service.yaml");
        var registered = await registry.RegisterAsync(json);
        var changed = Changed(json);

        var conflict = await Assert.ThrowsAsync<BlueprintVersionConflictException>(() => registry.RegisterAsync(changed));

        Assert.Equal("todo-service", conflict.Name);
        Assert.Equal("0.3.1", conflict.Version);
        Assert.Equal(registered.Sha256, conflict.RegisteredSha256);
        Assert.Equal(registered, await registry.GetAsync("todo-service", "0.3.1"));
    }

    [Fact]
    public async Task AnInvalidBlueprintIsRejected()
    {
        var registry = Client.GetGrain<IBlueprintRegistryGrain>(Tenancy.NewTenantId("invalid"));
        var json = Samples.CanonicalJson("todo-service.yaml").Replace("\"apiVersion\":\"factory/v1\"", "\"apiVersion\":\"factory/v0\"", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<BlueprintRejectedException>(() => registry.RegisterAsync(json));

        Assert.Contains(error.Problems, p => p.Contains("apiVersion", StringComparison.Ordinal));
        Assert.Empty(await registry.ListAsync());
    }

    [Fact]
    public async Task TheListIsOrderedByNameThenVersionPrecedence()
    {
        var registry = Client.GetGrain<IBlueprintRegistryGrain>(Tenancy.NewTenantId("order"));
        var todo = Samples.CanonicalJson("todo-service.yaml");
        foreach (var version in new[] { "1.10.0", "1.2.0", "1.2.0-beta.1", "0.3.1", "1.2.0-alpha" })
        {
            await registry.RegisterAsync(todo.Replace("\"version\":\"0.3.1\"", $"\"version\":\"{version}\"", StringComparison.Ordinal));
        }

        await registry.RegisterAsync(Samples.CanonicalJson("clinic-appointments.yaml"));

        var list = await registry.ListAsync();

        Assert.Equal(
            ["clinic-appointments@1.0.0", "todo-service@0.3.1", "todo-service@1.2.0-alpha", "todo-service@1.2.0-beta.1", "todo-service@1.2.0", "todo-service@1.10.0"],
            list.Select(e => $"{e.Name}@{e.Version}"));
        Assert.All(list, e => Assert.Equal("", e.CanonicalJson));
    }

    /// <summary>The same blueprint with a field renamed (valid, different content).</summary>
    private static string Changed(string json)
    {
        var changed = json.Replace("\"name\":\"notes\"", "\"name\":\"remarks\"", StringComparison.Ordinal);
        Assert.NotEqual(json, changed);
        return changed;
    }
}

using Factory.Grains.Runtime;
using Factory.Grains.Tenants;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>Tenants, editions and API keys on a real two-silo cluster; edition settings.</summary>
public sealed class TenantAdministrationTests(TenancyClusterFixture fixture) : IClassFixture<TenancyClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task ACreatedTenantHasItsEditionAndIsListedInTheDirectory()
    {
        var id = Tenancy.NewTenantId("admin");
        var tenant = Client.GetGrain<ITenantGrain>(id);
        await Assert.ThrowsAsync<TenantNotFoundException>(tenant.GetInfoAsync);

        var created = await tenant.CreateAsync("pro");

        Assert.Equal(id, created.TenantId);
        Assert.Equal("pro", created.Edition);
        Assert.Equal(0, created.ActiveKeys);
        Assert.Equal(0, created.RunsInFlight);
        Assert.Equal(0, created.RunsTotal);
        Assert.Equal(created, await tenant.GetInfoAsync());
        Assert.Equal(new EditionLimits("pro", 20, 120, 1024 * 1024, 32), await tenant.GetLimitsAsync());
        Assert.Contains(id, await Client.GetGrain<ITenantDirectoryGrain>("all").ListAsync());
        Assert.Equal(id, (await Assert.ThrowsAsync<TenantExistsException>(() => tenant.CreateAsync("free"))).TenantId);
    }

    [Fact]
    public async Task ChangingTheEditionChangesTheLimitsAtOnce()
    {
        var tenant = await Tenancy.CreateAsync(Client, "edition", "free");
        Assert.Equal(new EditionLimits("free", 2, 10, 256 * 1024, 8), await tenant.GetLimitsAsync());

        var info = await tenant.SetEditionAsync("ENTERPRISE");

        Assert.Equal("enterprise", info.Edition);
        Assert.Equal(new EditionLimits("enterprise", 200, 1200, 4 * 1024 * 1024, 100), await tenant.GetLimitsAsync());
        var unknown = await Assert.ThrowsAsync<UnknownEditionException>(() => tenant.SetEditionAsync("platinum"));
        Assert.Equal("platinum", unknown.Edition);
        Assert.Contains("free", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("enterprise", (await tenant.GetInfoAsync()).Edition);
    }

    [Fact]
    public async Task UnknownEditionsAndUncreatedTenantsAreRefused()
    {
        var tenant = Client.GetGrain<ITenantGrain>(Tenancy.NewTenantId("never"));
        await Assert.ThrowsAsync<UnknownEditionException>(() => tenant.CreateAsync("gold"));
        await Assert.ThrowsAsync<TenantNotFoundException>(tenant.GetInfoAsync);
        await Assert.ThrowsAsync<TenantNotFoundException>(() => tenant.SetEditionAsync("pro"));
        await Assert.ThrowsAsync<TenantNotFoundException>(tenant.IssueApiKeyAsync);

        // A tenant never created (the embedded "default" one) gets the default edition: enterprise on this cluster.
        Assert.Equal("enterprise", (await tenant.GetLimitsAsync()).Edition);
        Assert.Equal("enterprise", (await Client.GetGrain<ITenantGrain>(FactoryNames.DefaultTenant).GetLimitsAsync()).Edition);
    }

    [Fact]
    public async Task AnIssuedKeyAuthenticatesItsTenantUntilRevoked()
    {
        var tenant = await Tenancy.CreateAsync(Client, "keys", "free");
        var id = tenant.GetPrimaryKeyString();

        var issued = await tenant.IssueApiKeyAsync();
        var other = await tenant.IssueApiKeyAsync();

        Assert.StartsWith("fk_", issued.Secret, StringComparison.Ordinal);
        Assert.Equal(3 + 43, issued.Secret.Length); // base64url of 32 bytes, unpadded
        Assert.DoesNotContain('=', issued.Secret);
        Assert.NotEqual(issued.Secret, other.Secret);
        var hash = ContentHash.ApiKeySha256(issued.Secret);
        Assert.Equal(hash[..12], issued.KeyId);
        var key = Client.GetGrain<IApiKeyGrain>(hash);
        Assert.Equal(new ApiKeyIdentity(id, issued.KeyId), await key.AuthenticateAsync());
        Assert.Equal(2, (await tenant.GetInfoAsync()).ActiveKeys);

        await tenant.RevokeApiKeyAsync(issued.KeyId);
        await tenant.RevokeApiKeyAsync(issued.KeyId); // idempotent

        Assert.Null(await key.AuthenticateAsync());
        Assert.Equal(new ApiKeyIdentity(id, other.KeyId), await Client.GetGrain<IApiKeyGrain>(ContentHash.ApiKeySha256(other.Secret)).AuthenticateAsync());
        Assert.Equal(1, (await tenant.GetInfoAsync()).ActiveKeys);
        Assert.Null(await Client.GetGrain<IApiKeyGrain>(ContentHash.ApiKeySha256("fk_unknown")).AuthenticateAsync());
        await Assert.ThrowsAsync<TenantNotFoundException>(() => tenant.RevokeApiKeyAsync("000000000000"));
    }

    [Fact]
    public void EditionsBindFromConfigurationOverTheBuiltInDefaults()
    {
        var options = Editions(new()
        {
            ["Factory:DefaultEdition"] = "team",
            ["Factory:Editions:team:MaxConcurrentRuns"] = "5",
            ["Factory:Editions:team:RunsPerMinute"] = "30",
            ["Factory:Editions:team:MaxBlueprintBytes"] = "65536",
            ["Factory:Editions:team:MaxModules"] = "4",
            ["Factory:Editions:free:MaxConcurrentRuns"] = "3",
        });

        Assert.Equal("team", options.DefaultEdition);
        Assert.Equal(new EditionLimits("team", 5, 30, 65536, 4), options.Find("team"));
        Assert.Equal(new EditionLimits("free", 3, 10, 256 * 1024, 8), options.Find("free"));
        Assert.Equal(new EditionLimits("pro", 20, 120, 1024 * 1024, 32), options.Find("pro"));
    }

    [Fact]
    public void BadEditionSettingsStopStartUpNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Editions(new()
        {
            ["Factory:DefaultEdition"] = "gold",
            ["Factory:Editions:pro:RunsPerMinute"] = "0",
        }));

        Assert.Contains(error.Failures, f => f.Contains("Factory:DefaultEdition 'gold'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Factory:Editions:pro:RunsPerMinute must be positive", StringComparison.Ordinal));
    }

    private static EditionOptions Editions(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddFactoryRuntime();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<EditionOptions>>().Value;
    }
}

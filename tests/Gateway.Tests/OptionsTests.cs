extern alias gateway;

using gateway::Factory.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Factory.Gateway.Tests;

/// <summary>Bad gateway settings stop the host before it serves, naming the setting.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("Factory:Gateway:Urls", "https://127.0.0.1:5000")]
    [InlineData("Factory:Gateway:Urls", "http://example.com:5000")]
    [InlineData("Factory:Gateway:OperatorKeySha256", "not-a-hash")]
    [InlineData("Factory:Gateway:OperatorKeySha256", "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("Factory:Gateway:MaxReceiveMessageSize", "100")]
    public void BadSettingStopsTheGatewayNamingIt(string key, string value)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        var ex = Assert.Throws<OptionsValidationException>(() => builder.AddFactoryGateway());
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Factory:GatewayPort", "0", "Factory:GatewayPort")]
    [InlineData("Factory:Mode", "Postgres", "Factory:Postgres:ConnectionString is required")]
    public void BadClusterClientSettingStopsTheStandaloneGatewayNamingIt(string key, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        var ex = Assert.Throws<OptionsValidationException>(() => builder.AddFactoryClusterClient());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedPostgresConnectionStringStopsTheStandaloneGatewayNamingIt()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Factory:Mode"] = "Postgres",
            ["Factory:Postgres:ConnectionString"] = "Host=db;NoSuchKeyword=1",
        });
        var ex = Assert.Throws<OptionsValidationException>(() => builder.AddFactoryClusterClient());
        Assert.Contains("Factory:Postgres:ConnectionString is not a valid connection string", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultsAreValid()
    {
        var options = new FactoryGatewayOptions();
        Assert.True(new FactoryGatewayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("http://127.0.0.1:5000", options.Urls);
        Assert.Equal(1024 * 1024, options.MaxReceiveMessageSize);
        Assert.Null(options.OperatorKeySha256);
    }
}

using System.Globalization;
using Factory.Gateway;
using Factory.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Factory.Grains.Tests.Deployment;

public sealed class FactoryHostOptionsValidatorTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.244.1.17")]
    [InlineData("fd00::17")]
    public void An_ip_address_is_accepted_as_the_advertised_address(string address)
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { AdvertisedAddress = address });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("factory-silo-0")]
    [InlineData("10.0.0.300")]
    public void Anything_else_fails_naming_the_setting(string address)
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { AdvertisedAddress = address });

        Assert.True(result.Failed);
        Assert.Contains("Factory:AdvertisedAddress", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_loopback()
    {
        Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(new FactoryHostOptions().AdvertisedAddress)));
    }

    [Fact]
    public void Memory_streams_are_the_default_in_either_mode()
    {
        Assert.Equal(FactoryStreamProvider.Memory, new FactoryHostOptions().Streams.Provider);
        Assert.Equal(ClusterClientStreamProvider.Memory, new FactoryClusterClientOptions().Streams.Provider);
        var postgres = new FactoryHostOptions { Mode = StorageMode.Postgres, Postgres = { ConnectionString = "Host=db;Database=factory" } };

        Assert.True(new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions()).Succeeded);
        Assert.True(new FactoryHostOptionsValidator().Validate(null, postgres).Succeeded);
    }

    [Fact]
    public void AdoNet_streams_are_accepted_in_postgres_mode()
    {
        var options = new FactoryHostOptions
        {
            Mode = StorageMode.Postgres,
            Postgres = { ConnectionString = "Host=db;Database=factory" },
            Streams = { Provider = FactoryStreamProvider.AdoNet },
        };
        var client = new FactoryClusterClientOptions
        {
            Mode = ClusterClientMode.Postgres,
            Postgres = { ConnectionString = "Host=db;Database=factory" },
            Streams = { Provider = ClusterClientStreamProvider.AdoNet },
        };

        var result = new FactoryHostOptionsValidator().Validate(null, options);
        var clientResult = new FactoryClusterClientOptionsValidator().Validate(null, client);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(clientResult.Succeeded, clientResult.FailureMessage);
    }

    [Fact]
    public void AdoNet_streams_in_embedded_mode_fail_naming_both_settings()
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { Streams = { Provider = FactoryStreamProvider.AdoNet } });
        var clientResult = new FactoryClusterClientOptionsValidator().Validate(null, new FactoryClusterClientOptions { Streams = { Provider = ClusterClientStreamProvider.AdoNet } });

        Assert.True(result.Failed);
        Assert.Contains("Factory:Streams:Provider AdoNet", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Factory:Mode Postgres (was Embedded)", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(clientResult.Failed);
        Assert.Contains("Factory:Streams:Provider AdoNet", clientResult.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Factory:Mode Postgres (was Embedded)", clientResult.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_stream_provider_fails_listing_the_known_ones()
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { Streams = { Provider = (FactoryStreamProvider)7 } });

        Assert.True(result.Failed);
        Assert.Contains("Factory:Streams:Provider '7' is not a stream provider; use one of: Memory, AdoNet.", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:11")]
    public void A_stream_poll_interval_out_of_range_fails_naming_the_setting_and_the_range(string interval)
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { Streams = { PollInterval = TimeSpan.Parse(interval, CultureInfo.InvariantCulture) } });

        Assert.True(result.Failed);
        Assert.Contains($"Factory:Streams:PollInterval must be from 00:00:00.001 to 00:00:10 (was {interval}).", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { Streams = { PollInterval = TimeSpan.FromMilliseconds(5) } }).Succeeded);
    }

    [Fact]
    public void A_silo_configured_for_AdoNet_streams_in_embedded_mode_does_not_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Factory:Streams:Provider"] = "AdoNet" });

        var ex = Assert.Throws<OptionsValidationException>(() => builder.AddFactorySilo());

        Assert.Contains("Factory:Streams:Provider AdoNet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_idle_collection_age_within_the_collection_quantum_fails_naming_the_setting()
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { IdleCollectionAge = TimeSpan.FromSeconds(30) });

        Assert.True(result.Failed);
        Assert.Contains("Factory:IdleCollectionAge", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions()).Succeeded);
    }

    [Fact]
    public void The_directory_cache_size_reaches_Orleans_and_a_size_under_one_fails_naming_the_setting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Factory:DirectoryCacheSize"] = "1234" });
        builder.AddFactorySilo();
        using var host = builder.Build();

        Assert.Equal(1234, host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { DirectoryCacheSize = 0 });
        Assert.True(result.Failed);
        Assert.Contains("Factory:DirectoryCacheSize", result.FailureMessage, StringComparison.Ordinal);
    }
}

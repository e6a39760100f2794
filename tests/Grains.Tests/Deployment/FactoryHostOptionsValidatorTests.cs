using Factory.Silo;

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
    public void An_idle_collection_age_within_the_collection_quantum_fails_naming_the_setting()
    {
        var result = new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions { IdleCollectionAge = TimeSpan.FromSeconds(30) });

        Assert.True(result.Failed);
        Assert.Contains("Factory:IdleCollectionAge", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new FactoryHostOptionsValidator().Validate(null, new FactoryHostOptions()).Succeeded);
    }
}

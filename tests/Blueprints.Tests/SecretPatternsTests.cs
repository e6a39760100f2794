namespace Factory.Blueprints.Tests;

public sealed class SecretPatternsTests
{
    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("key is sk-proj-abcdefghij0123456789KLMNOP")]
    [InlineData("sk_live_4eC39HqLyjWDarjtT1zdp7dc")]
    [InlineData("ghp_0123456789abcdefghijABCDEFGHIJ012345")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow")]
    [InlineData("-----BEGIN PRIVATE KEY-----")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")]
    [InlineData("password=hunter22")]
    [InlineData("secret = 'abcd1234'")]
    [InlineData("apikey=ZXhhbXBsZQ")]
    [InlineData("xoxb-123456789012-abcdefghij")]
    [InlineData("Server=db;Database=app;User Id=sa;Password=Pa55word!")]
    [InlineData("postgres://app:s3cretpw@db.internal/app")]
    public void LooksLikeSecretMatchesSecretValues(string value) => Assert.True(SecretPatterns.LooksLikeSecret(value), value);

    [Theory]
    [InlineData("vault://clinic/payments/provider-key")]
    [InlineData("env://CARRIER_API_TOKEN")]
    [InlineData("password=${DB_PASSWORD}")]
    [InlineData("password=vault://db/password")]
    [InlineData("Book, reschedule and cancel clinic appointments.")]
    [InlineData("task-management-service-with-long-name")]
    [InlineData("paymentsProviderKey")]
    [InlineData("the secret: keep it in the vault")]
    [InlineData("https://example.com/api")]
    public void LooksLikeSecretIgnoresOrdinaryText(string value) => Assert.False(SecretPatterns.LooksLikeSecret(value), value);

    [Fact]
    public void AllListsEveryPattern() => Assert.True(SecretPatterns.All.Count >= 8);
}

using Factory.Storage.Postgres;
using Npgsql;

namespace Factory.Storage.Tests;

public sealed class PreparedStatementsTests
{
    [Fact]
    public void AConnectionStringThatDoesNotSayGetsPreparationAndNoResetOnClose()
    {
        var enabled = new NpgsqlConnectionStringBuilder(PreparedStatements.Enable("Host=db.internal;Database=factory;Username=factory"));

        Assert.Equal(PreparedStatements.DefaultMaxAutoPrepare, enabled.MaxAutoPrepare);
        Assert.Equal(PreparedStatements.DefaultAutoPrepareMinUsages, enabled.AutoPrepareMinUsages);
        Assert.True(enabled.NoResetOnClose);
        Assert.Equal(("db.internal", "factory", "factory"), (enabled.Host, enabled.Database, enabled.Username));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;Auto Prepare Min Usages=9;No Reset On Close=false", 0, 9, false)]
    [InlineData("Host=db;maxautoprepare=5", 5, PreparedStatements.DefaultAutoPrepareMinUsages, true)]
    [InlineData("Host=db;AUTO PREPARE MIN USAGES=7;NoResetOnClose=false", PreparedStatements.DefaultMaxAutoPrepare, 7, false)]
    public void WhatTheOperatorWroteStandsAndTheRestIsFilledIn(string connectionString, int maxAutoPrepare, int minUsages, bool noReset)
    {
        var enabled = new NpgsqlConnectionStringBuilder(PreparedStatements.Enable(connectionString));

        Assert.Equal((maxAutoPrepare, minUsages, noReset), (enabled.MaxAutoPrepare, enabled.AutoPrepareMinUsages, enabled.NoResetOnClose));
        Assert.Equal("db", enabled.Host);
    }

    [Fact]
    public void AMalformedConnectionStringIsRejectedAsSuch()
    {
        Assert.ThrowsAny<ArgumentException>(() => PreparedStatements.Enable("Host=db;Max Auto Prepare"));
    }
}

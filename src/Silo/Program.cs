using Factory.Gateway;
using Factory.Silo;
using Factory.Silo.Statistics;
using Microsoft.AspNetCore.Builder;

// A single node: the silo, with the gRPC gateway co-hosted on Factory:Gateway:Urls.
var builder = WebApplication.CreateBuilder(args);
builder.AddFactorySilo();
builder.AddFactoryStatistics();
builder.AddFactoryGateway();
var app = builder.Build();
app.MapFactoryGateway();
app.MapFactoryStatistics();
await app.RunAsync();

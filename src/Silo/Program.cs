using Factory.Gateway;
using Factory.Silo;
using Factory.Silo.Statistics;
using Microsoft.AspNetCore.Builder;

// A single node: the silo, with the gRPC gateway co-hosted on Factory:Gateway:Urls, and metrics and the
// dashboard on Factory:Observability:Url.
var builder = WebApplication.CreateBuilder(args);
builder.AddFactorySilo();
builder.AddFactoryStatistics();
builder.AddFactoryGateway();
builder.AddFactoryObservability();
var app = builder.Build();
app.MapFactoryGateway();
app.MapFactoryStatistics();
app.MapFactoryObservability();
await app.RunAsync();

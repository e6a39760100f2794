using Factory.Gateway;
using Factory.Silo;
using Microsoft.AspNetCore.Builder;

// A single node: the silo, with the gRPC gateway co-hosted on Factory:Gateway:Urls.
var builder = WebApplication.CreateBuilder(args);
builder.AddFactorySilo();
builder.AddFactoryGateway();
var app = builder.Build();
app.MapFactoryGateway();
await app.RunAsync();

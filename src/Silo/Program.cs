using Factory.Silo;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddFactorySilo();
await builder.Build().RunAsync();

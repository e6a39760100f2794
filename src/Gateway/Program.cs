using Factory.Gateway;

// A standalone gateway: an Orleans client of the silos, serving the gRPC API.
var builder = WebApplication.CreateBuilder(args);
builder.AddFactoryClusterClient();
builder.AddFactoryGateway();
builder.AddFactoryGatewayTelemetry();
var app = builder.Build();
app.MapFactoryGateway();
await app.RunAsync();

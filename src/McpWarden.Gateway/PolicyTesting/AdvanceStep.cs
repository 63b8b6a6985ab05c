namespace McpWarden.Gateway.PolicyTesting;

public sealed record AdvanceStep(int Index, TimeSpan By) : TestStep(Index);

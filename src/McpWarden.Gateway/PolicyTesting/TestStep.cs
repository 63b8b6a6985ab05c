namespace McpWarden.Gateway.PolicyTesting;

/// <summary>A step: either moving the virtual clock, or one call (repeated) with its expectation.</summary>
public abstract record TestStep(int Index);

namespace McpWarden.Gateway.Pinning;

/// <summary>What the pin store made of one listed tool.</summary>
/// <param name="State"><see cref="PinState.Pinned"/> (including just pinned on first sight) or <see cref="PinState.Changed"/>.</param>
/// <param name="Pin">The pin after the check.</param>
/// <param name="NewlyChanged">True the first time this changed definition was seen: the drift is audited once, not on every list.</param>
public sealed record PinCheck(string Tool, PinState State, PinRecord Pin, bool NewlyChanged);

using McpWarden.Policy.Diagnostics;

namespace McpWarden.Gateway.Configuration;

/// <summary>
/// What the gateway runs on, and how the last attempt to load the configuration went: the read model behind
/// <c>/healthz</c> and the admin API. A refused load leaves <see cref="Revision"/>, <see cref="LoadedAt"/> and
/// <see cref="Servers"/> as they were, and says why in <see cref="Diagnostics"/>.
/// </summary>
/// <param name="Revision">Counts the configurations put in force since the gateway started: 1 for the one it started with.</param>
/// <param name="LoadedAt">When the configuration in force was loaded.</param>
/// <param name="CheckedAt">When the configuration was last loaded, whether or not it was accepted.</param>
/// <param name="Refused">True when the last load had errors and was not put in force.</param>
/// <param name="Diagnostics">Everything the last load reported: the errors that refused it, or the warnings of the one in force.</param>
/// <param name="Servers">Each server's policy in force, in configured order.</param>
/// <param name="NotApplied">Settings that differ in the file from those in force, because they change only with a restart.</param>
public sealed record ConfigurationStatus(
    int Revision,
    DateTimeOffset LoadedAt,
    DateTimeOffset CheckedAt,
    bool Refused,
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<ServerPolicyStatus> Servers,
    IReadOnlyList<string> NotApplied);

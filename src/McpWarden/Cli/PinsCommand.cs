using System.Globalization;
using McpWarden.Catalog.Pinning;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Pinning;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden pins list|accept</c>: the pinned tool definitions in the configuration's store, read and accepted
/// directly in the file, whether or not a gateway runs on it (a running gateway sees an accept at the tool's next
/// call or list). An accept names the full fingerprint of the definition the person reviewed; without one it
/// shows the change and accepts nothing. Exit 0 done; 1 unknown tool, nothing to accept, no or a stale
/// fingerprint, no store yet; 2 a bad configuration.
/// </summary>
internal static class PinsCommand
{
    /// <summary>
    /// A fingerprint is named whole: a prefix could be met by a second definition the server crafted to share it
    /// (12 hex digits are 48 bits, within reach of a birthday search), and that one would be accepted unseen.
    /// </summary>
    private const int FingerprintLength = 64;

    public static async Task<int> ListAsync(string configPath, string? server, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (configuration, status) = await LoadAsync(configPath, server, "list", error).ConfigureAwait(false);
        if (configuration is null)
        {
            return status;
        }

        var (opened, problem) = await StoreOpener.OpenAsync(configuration, ephemeral: false, TimeProvider.System).ConfigureAwait(false);
        if (opened is null)
        {
            await error.WriteLineAsync("pins: " + problem).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        await using var stores = opened;
        var pins = await stores.Pins.ListAsync(server, cancellationToken).ConfigureAwait(false);
        foreach (var pin in pins)
        {
            await output.WriteLineAsync(json ? PinJson.ToJson(pin).ToJsonString() : Describe(pin)).ConfigureAwait(false);
        }

        if (!json)
        {
            var changed = pins.Count(p => p.Changed is not null);
            await error.WriteLineAsync($"pins: {pins.Count} pinned tool{(pins.Count == 1 ? string.Empty : "s")}, {changed} changed and waiting for a person").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    public static async Task<int> AcceptAsync(string configPath, string target, string? fingerprint, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == target.Length - 1)
        {
            await error.WriteLineAsync($"pins accept: name the tool as SERVER/TOOL, got \"{target}\"").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        var (server, tool) = (target[..slash], target[(slash + 1)..]);
        if (fingerprint is not null)
        {
            fingerprint = fingerprint.ToLowerInvariant();
            if (fingerprint.Length != FingerprintLength || !fingerprint.All(char.IsAsciiHexDigitLower))
            {
                await error.WriteLineAsync($"pins accept: --fingerprint must be all {FingerprintLength} hex digits of the changed definition's fingerprint, as 'mcpwarden pins accept {server}/{tool}' or 'mcpwarden pins list' shows it").ConfigureAwait(false);
                return ExitCodes.Invalid;
            }
        }

        var (configuration, status) = await LoadAsync(configPath, server, "accept", error).ConfigureAwait(false);
        if (configuration is null)
        {
            return status;
        }

        var (opened, problem) = await StoreOpener.OpenAsync(configuration, ephemeral: false, TimeProvider.System).ConfigureAwait(false);
        if (opened is null)
        {
            await error.WriteLineAsync("pins accept: " + problem).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        await using var stores = opened;
        var pin = (await stores.Pins.ListAsync(server, cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Tool == tool);
        if (pin is null)
        {
            await error.WriteLineAsync($"pins accept: {server}/{tool} is not pinned: no gateway has listed such a tool").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (pin.Changed is not { } changed)
        {
            await error.WriteLineAsync($"pins accept: {server}/{tool} has no changed definition waiting; its pin is {ToolFingerprint.Abbreviate(pin.Pinned.Fingerprint)}").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (fingerprint is null)
        {
            // Nothing is accepted unseen: the change is shown, and accepting it names exactly what was shown.
            await output.WriteLineAsync(Describe(pin)).ConfigureAwait(false);
            await error.WriteLineAsync($"pins accept: nothing accepted; review the change above, then accept exactly that definition with: mcpwarden pins accept {server}/{tool} --fingerprint {changed.Fingerprint}").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (!string.Equals(changed.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            await error.WriteLineAsync($"pins accept: the changed definition waiting for {server}/{tool} is {changed.Fingerprint}, not {fingerprint}: the server changed it again; review it with 'mcpwarden pins accept {server}/{tool}' or 'mcpwarden pins list'").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        // The store accepts only the definition with that fingerprint: if the server changed it meanwhile, it refuses.
        var result = await stores.Pins.AcceptAsync(server, tool, fingerprint, cancellationToken).ConfigureAwait(false);
        switch (result)
        {
            case PinAcceptance.Accepted:
                await output.WriteLineAsync($"accepted {server}/{tool}: its pin is now {ToolFingerprint.Abbreviate(changed.Fingerprint)} (was {ToolFingerprint.Abbreviate(pin.Pinned.Fingerprint)})").ConfigureAwait(false);
                await output.WriteLineAsync(DefinitionDiff.Between(pin.Pinned, changed).DescribeLines()).ConfigureAwait(false);
                return ExitCodes.Success;
            case PinAcceptance.NothingToAccept:
                await error.WriteLineAsync($"pins accept: {server}/{tool} was accepted meanwhile; nothing is waiting").ConfigureAwait(false);
                return ExitCodes.Invalid;
            default:
                await error.WriteLineAsync($"pins accept: {server}/{tool} changed again while it was being accepted; review it with 'mcpwarden pins accept {server}/{tool}'").ConfigureAwait(false);
                return ExitCodes.Invalid;
        }
    }

    /// <summary>One pin in a line (and its diff beneath when a change waits).</summary>
    private static string Describe(PinRecord pin)
    {
        var times = $"pinned {Time(pin.PinnedAt)}" + (pin.AcceptedAt is { } accepted ? $", accepted {Time(accepted)}" : string.Empty);
        if (pin.Changed is not { } changed)
        {
            return $"{pin.Server}/{pin.Tool}  pinned   {ToolFingerprint.Abbreviate(pin.Pinned.Fingerprint)}  {times}";
        }

        // The changed definition's fingerprint is shown whole: it is what a person copies to accept it.
        var changedAt = pin.ChangedAt is { } at ? $", changed {Time(at)}" : string.Empty;
        return $"{pin.Server}/{pin.Tool}  changed  {ToolFingerprint.Abbreviate(pin.Pinned.Fingerprint)} -> {changed.Fingerprint}  {times}{changedAt}"
            + Environment.NewLine + DefinitionDiff.Between(pin.Pinned, changed).DescribeLines("    ");
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static async Task<(GatewayConfiguration? Configuration, int Status)> LoadAsync(string configPath, string? server, string action, TextWriter error)
    {
        var loaded = ConfigurationLoader.LoadFile(configPath, Environment.GetEnvironmentVariable);
        if (loaded.Configuration is not { } configuration)
        {
            foreach (var diagnostic in loaded.Diagnostics)
            {
                await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            return (null, ExitCodes.BadConfiguration);
        }

        if (server is not null && configuration.Servers.All(s => s.Name != server))
        {
            await error.WriteLineAsync($"pins {action}: the configuration has no server \"{server}\" (it has: {string.Join(", ", configuration.Servers.Select(s => s.Name))})").ConfigureAwait(false);
            return (null, ExitCodes.Invalid);
        }

        if (!StoreOpener.MayHavePins(configuration))
        {
            await error.WriteLineAsync($"pins {action}: no pins at {configuration.Store.Path}: no gateway has run with this configuration's store yet").ConfigureAwait(false);
            return (null, ExitCodes.Invalid);
        }

        return (configuration, ExitCodes.Success);
    }
}

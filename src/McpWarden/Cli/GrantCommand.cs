using System.Text.Json.Nodes;
using McpWarden.Policy.Json;

namespace McpWarden.Cli;

/// <summary>
/// <c>mcpwarden grant add|list|remove</c>: the credentials callers present, kept in the configuration file
/// as the SHA-256 of their keys. A running gateway reads the file when it starts.
/// </summary>
internal static class GrantCommand
{
    /// <summary>
    /// Makes a grant (or, with <paramref name="replace"/>, gives an existing one a new key), stores the key's
    /// hash, then prints the key: on the first line of standard output alone, then a line saying it will not
    /// be shown again. Nothing is printed, and the file is untouched, unless the new file loads.
    /// </summary>
    /// <param name="servers">Comma-separated server names; null: every server (or, when replacing, the ones it had).</param>
    public static int Add(string configPath, string name, string? servers, bool replace, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        const string Command = "grant add";
        if (ConfigurationFile.Open(configPath, environment, Command, error) is not { } file)
        {
            return ExitCodes.Invalid;
        }

        if (file.Root["grants"] is not JsonObject grants)
        {
            grants = [];
            file.SetField("grants", grants, "mcpServers");
        }

        var existing = grants[name] as JsonObject;
        if (existing is not null && !replace)
        {
            error.WriteLine($"{Command}: {file.Display} already has a grant {JsonText.Quote(name)}; --replace gives it a new key (the old one stops working as soon as a running gateway reloads the file)");
            return ExitCodes.Invalid;
        }

        JsonArray? allowed;
        if (servers is null)
        {
            // Replacing a key must never widen what the grant reaches: without --servers it keeps its list.
            allowed = existing?["servers"]?.DeepClone() as JsonArray;
        }
        else if (ServerList(servers, file, error) is { } list)
        {
            allowed = list;
        }
        else
        {
            return ExitCodes.Invalid;
        }

        var key = SecretKey.Create(SecretKey.GrantPrefix);
        var grant = new JsonObject { ["keySha256"] = key.Sha256 };
        if (allowed is not null)
        {
            grant["servers"] = allowed;
        }

        if (existing is not null)
        {
            grants[name] = grant;
        }
        else
        {
            grants.Add(name, grant);
        }

        if (!file.Save(error))
        {
            return ExitCodes.Invalid;
        }

        output.WriteLine(key.Value);
        output.WriteLine($"This is the key of grant {JsonText.Quote(name)} ({Reach(allowed)}). It will not be shown again: {file.Display} keeps only its SHA-256. Callers send it as Authorization: Bearer KEY.");
        return ExitCodes.Success;
    }

    /// <summary>Prints each grant's name and the servers it may reach, one per line; never a hash.</summary>
    public static int List(string configPath, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        const string Command = "grant list";
        if (ConfigurationFile.Open(configPath, environment, Command, error) is not { } file)
        {
            return ExitCodes.Invalid;
        }

        if (file.Root["grants"] is not JsonObject { Count: > 0 } grants)
        {
            error.WriteLine($"{Command}: {file.Display} has no grants: every caller is the grant \"local\", and the gateway listens on loopback only");
            return ExitCodes.Success;
        }

        foreach (var (name, grant) in grants)
        {
            output.WriteLine($"{name}: {Reach(grant?["servers"] as JsonArray)}");
        }

        return ExitCodes.Success;
    }

    /// <summary>Removes a grant; its key stops working as soon as a running gateway reloads the file.</summary>
    public static int Remove(string configPath, string name, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        const string Command = "grant remove";
        if (ConfigurationFile.Open(configPath, environment, Command, error) is not { } file)
        {
            return ExitCodes.Invalid;
        }

        if (file.Root["grants"] is not JsonObject grants || !grants.Remove(name))
        {
            error.WriteLine($"{Command}: {file.Display} has no grant {JsonText.Quote(name)}");
            return ExitCodes.Invalid;
        }

        if (!file.Save(error))
        {
            return ExitCodes.Invalid;
        }

        output.WriteLine($"removed grant {JsonText.Quote(name)} from {file.Display}; its key stops working as soon as a running gateway reloads the file");
        if (grants.Count == 0)
        {
            // Without grants the gateway changes how it trusts callers: that must not go unnoticed.
            error.WriteLine($"{Command}: that was the last grant: without grants the gateway listens on loopback only and every caller there is the grant \"local\", which reaches every server");
        }

        return ExitCodes.Success;
    }

    /// <summary>The names in <paramref name="servers"/>, each a configured server, without repeats; null (and why) otherwise.</summary>
    private static JsonArray? ServerList(string servers, ConfigurationFile file, TextWriter error)
    {
        var names = servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            error.WriteLine("grant add: --servers names no server; leave it out for a grant that reaches every server");
            return null;
        }

        var configured = file.ServerNames;
        var unknown = names.Where(n => !configured.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            var has = configured.Count == 0 ? "it has none" : "it has " + string.Join(", ", configured.Select(JsonText.Quote));
            error.WriteLine($"grant add: {file.Display} has no server {string.Join(", ", unknown.Select(JsonText.Quote))} ({has}); {file.Display} was not changed");
            return null;
        }

        return [.. names.Select(n => (JsonNode)JsonValue.Create(n))];
    }

    private static string Reach(JsonArray? servers) =>
        servers is null ? "every server" : "servers " + string.Join(", ", servers.Select(s => s?.GetValue<string>()));
}

using System.Text.Json.Nodes;

namespace McpWarden.Cli;

/// <summary><c>mcpwarden admin token</c>: the token of the admin API, kept in the configuration as its SHA-256.</summary>
internal static class AdminCommand
{
    /// <summary>
    /// Makes the admin token (or, with <paramref name="replace"/>, a new one in place of the old), stores its
    /// hash as <c>admin.tokenSha256</c>, then prints it once, as <c>grant add</c> prints a key.
    /// </summary>
    public static int Token(string configPath, bool replace, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        const string Command = "admin token";
        if (ConfigurationFile.Open(configPath, environment, Command, error) is not { } file)
        {
            return ExitCodes.Invalid;
        }

        if (file.Root["admin"] is not JsonObject admin)
        {
            admin = [];
            file.SetField("admin", admin, "grants", "mcpServers");
        }

        if (admin.ContainsKey("tokenSha256") && !replace)
        {
            error.WriteLine($"{Command}: {file.Display} already has an admin token; --replace makes a new one (the old one stops working as soon as a running gateway reloads the file)");
            return ExitCodes.Invalid;
        }

        var token = SecretKey.Create(SecretKey.AdminPrefix);
        admin["tokenSha256"] = token.Sha256;
        if (!file.Save(error))
        {
            return ExitCodes.Invalid;
        }

        output.WriteLine(token.Value);
        output.WriteLine($"This is the admin token. It will not be shown again: {file.Display} keeps only its SHA-256. The admin API takes it as Authorization: Bearer TOKEN.");
        return ExitCodes.Success;
    }
}

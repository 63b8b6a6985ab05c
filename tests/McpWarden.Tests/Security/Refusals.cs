using System.Text.Json;

namespace McpWarden.Tests.Security;

/// <summary>Reads what a client got back for a <c>tools/call</c>: the policy's reason code, wherever the gateway put it.</summary>
internal static class Refusals
{
    /// <summary>
    /// The reason code of a refused call: from <c>result._meta["mcpwarden/policy"]</c> for a policy denial, from
    /// <c>error.data.code</c> for an unknown tool; null when the call was answered by the server.
    /// </summary>
    public static string? ReasonCode(JsonElement answer)
    {
        if (answer.TryGetProperty("error", out var error))
        {
            return error.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("code", out var code)
                ? code.GetString()
                : "error " + error.GetProperty("code").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var result = answer.GetProperty("result");
        return result.TryGetProperty("isError", out var isError) && isError.GetBoolean()
            && result.TryGetProperty("_meta", out var meta) && meta.TryGetProperty("mcpwarden/policy", out var policy)
            ? policy.GetProperty("code").GetString()
            : null;
    }

    /// <summary>A <c>tools/call</c> request with a name given as JSON text (so escapes and odd characters stay exactly as written).</summary>
    public static string Call(object id, string name, string arguments = "{}") =>
        $$$"""{"jsonrpc":"2.0","id":{{{JsonSerializer.Serialize(id)}}},"method":"tools/call","params":{"name":{{{JsonSerializer.Serialize(name)}}},"arguments":{{{arguments}}}}}""";
}

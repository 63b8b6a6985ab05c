using System.Text.Json;
using McpWarden.Policy;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using Xunit;

namespace McpWarden.Testing;

/// <summary>Small builders that keep tests about behaviour, not plumbing.</summary>
public static class Policies
{
    /// <summary>Loads a policy that must be valid; fails the test with its diagnostics otherwise.</summary>
    public static CompiledPolicy Load(string json)
    {
        var result = PolicyLoader.LoadText("test.json", json);
        Assert.True(result.Succeeded, "the policy should load:\n" + string.Join('\n', result.Diagnostics));
        return result.Policy!;
    }

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static ToolCall Call(string tool, string arguments = "{}", string grant = "g1", string session = "s1", string server = "srv") =>
        new(server, tool, Json(arguments), grant, session);
}

using McpWarden.Gateway.Configuration;
using Xunit;

namespace McpWarden.Gateway.Tests.Configuration;

public sealed class EnvironmentExpansionTests
{
    private static (string Text, string[] Missing) Expand(string text)
    {
        var missing = new List<string>();
        var variables = new Dictionary<string, string> { ["USER"] = "ada", ["EMPTY"] = string.Empty, ["A_1"] = "x" };
        return (EnvironmentExpansion.Expand(text, n => variables.GetValueOrDefault(n), missing), missing.ToArray());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("${USER}", "ada")]
    [InlineData("Bearer ${USER}-${A_1}", "Bearer ada-x")]
    [InlineData("${EMPTY}", "")]
    [InlineData("$${USER}", "${USER}")]
    [InlineData("cost $5", "cost $5")]
    [InlineData("${1BAD}", "${1BAD}")]
    [InlineData("${USER", "${USER")]
    [InlineData("${}", "${}")]
    public void Expand_ReplacesSetVariablesOnly(string text, string expected)
    {
        var (expanded, missing) = Expand(text);
        Assert.Equal(expected, expanded);
        Assert.Empty(missing);
    }

    [Fact]
    public void Expand_UnsetVariables_AreAllNamed()
    {
        var (_, missing) = Expand("${NOPE}:${USER}:${ALSO_NOPE}");
        Assert.Equal(["NOPE", "ALSO_NOPE"], missing);
    }
}

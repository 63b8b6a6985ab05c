using McpWarden.Policy.Naming;
using Xunit;

namespace McpWarden.Policy.Tests.Naming;

public sealed class ToolNamesTests
{
    [Theory]
    [InlineData("run_workflow")]
    [InlineData("get-weather.v2")]
    [InlineData("caf\u00e9")]
    [InlineData("\u652f\u4ed8")]
    public void Problem_UsableName_IsNone(string name) => Assert.Null(ToolNames.Problem(name));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("pay\u200b", "U+200B")]
    [InlineData("pay\u202e", "U+202E")]
    [InlineData("pay ", "U+0020")]
    [InlineData("pay\u00a0", "U+00A0")]
    [InlineData("pay\t", "U+0009")]
    [InlineData("pay\u0000", "U+0000")]
    [InlineData("pay\ufe0f", "U+FE0F")]
    [InlineData("pay\u2060", "U+2060")]
    [InlineData("pay\ufeff", "U+FEFF")]
    [InlineData("pay\U000E0041", "U+E0041")]
    [InlineData("cafe\u0301", "form C")]
    public void Problem_HiddenOrAmbiguousName_IsNamed(string name, string fragment) =>
        Assert.Contains(fragment, ToolNames.Problem(name), StringComparison.Ordinal);

    [Fact]
    public void Problem_UnpairedSurrogate_IsNamed()
    {
        // Built in code: test-case serialisation cannot carry a lone surrogate intact.
        var name = "pay" + (char)0xD800;
        Assert.Contains("surrogate", ToolNames.Problem(name), StringComparison.Ordinal);
    }
}

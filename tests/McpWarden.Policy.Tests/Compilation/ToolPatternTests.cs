using McpWarden.Policy.Compilation;
using Xunit;

namespace McpWarden.Policy.Tests.Compilation;

public sealed class ToolPatternTests
{
    [Theory]
    [InlineData("pay_*", "pay_bill", true)]
    [InlineData("pay_*", "pay_", true)]
    [InlineData("pay_*", "Pay_bill", false)]
    [InlineData("*_delete", "user_delete", true)]
    [InlineData("*_delete", "user_delete_all", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("*", "", true)]
    [InlineData("*x*", "abxcd", true)]
    [InlineData("*x*", "abcd", false)]
    [InlineData("ab*ba", "aba", false)]
    [InlineData("ab*ba", "abba", true)]
    public void Matches_WholeName_Ordinally(string pattern, string name, bool expected) =>
        Assert.Equal(expected, new ToolPattern(pattern).Matches(name));

    [Theory]
    [InlineData("pay_*", "*_pay", true)]
    [InlineData("pay_*", "get_*", false)]
    [InlineData("a*", "*b", true)]
    [InlineData("a*c", "b*", false)]
    [InlineData("*x", "*y", false)]
    [InlineData("a*b", "a**b", true)]
    [InlineData("ab*", "*ba", true)]
    [InlineData("a*a", "b*b", false)]
    public void Overlaps_IsExact(string a, string b, bool expected)
    {
        Assert.Equal(expected, new ToolPattern(a).Overlaps(new ToolPattern(b)));
        Assert.Equal(expected, new ToolPattern(b).Overlaps(new ToolPattern(a)));
    }

    [Fact]
    public void LiteralCount_IgnoresStars() => Assert.Equal(6, new ToolPattern("*pay_*me*").LiteralCount);
}

using McpWarden.Gateway.Relay;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

public sealed class UriTemplatePatternTests
{
    [Theory]
    [InlineData("demo://resource/dynamic/text/{id}", "demo://resource/dynamic/text/42", true)]
    [InlineData("demo://resource/dynamic/text/{id}", "demo://resource/dynamic/text/4/2", false)]
    [InlineData("demo://resource/dynamic/text/{id}", "demo://resource/dynamic/blob/42", false)]
    [InlineData("file:///{+path}", "file:///home/a/b.txt", true)]
    [InlineData("db://{table}/rows{?limit,offset}", "db://users/rows?limit=1&offset=2", true)]
    [InlineData("db://{table}/rows{?limit,offset}", "db://users/rows", true)]
    [InlineData("a.b://x/{id}", "aXb://x/1", false)]
    [InlineData("test://template/{id}/data", "test://template/7/data", true)]
    [InlineData("broken://{id", "broken://{id", false)]
    public void Matches_LiteralTextExactly_AndVariablesByTheirOperator(string template, string uri, bool matches) =>
        Assert.Equal(matches, UriTemplatePattern.Parse(template).Matches(uri));
}

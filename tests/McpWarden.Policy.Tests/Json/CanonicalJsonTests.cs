using McpWarden.Policy.Json;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Json;

public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData("{\"b\": 1, \"a\": [1.0, 2.50, 1e2]}", "{\"a\":[1,2.5,100],\"b\":1}")]
    [InlineData("\"ünï\"", "\"ünï\"")]
    [InlineData("{\"z\": {\"y\": null, \"x\": true}}", "{\"z\":{\"x\":true,\"y\":null}}")]
    [InlineData("0.000", "0")]
    [InlineData("-0.5", "-0.5")]
    public void ToText_EqualValues_HaveOneForm(string json, string canonical) =>
        Assert.Equal(canonical, CanonicalJson.ToText(Policies.Json(json)));

    [Fact]
    public void Sha256_MemberOrderAndNumberSpelling_DoNotMatter() =>
        Assert.Equal(CanonicalJson.Sha256(Policies.Json("{\"a\":1,\"b\":2.0}")), CanonicalJson.Sha256(Policies.Json("{ \"b\": 2, \"a\": 1.00 }")));

    [Fact]
    public void Sha256_DifferentValues_Differ() =>
        Assert.NotEqual(CanonicalJson.Sha256(Policies.Json("{\"a\":1}")), CanonicalJson.Sha256(Policies.Json("{\"a\":\"1\"}")));

    [Theory]
    [InlineData("1e-7", "0.0000001")]
    [InlineData("9e-7", "0.0000009")]
    [InlineData("-1e-7", "-0.0000001")]
    [InlineData("-0.0", "0")]
    [InlineData("1e400", "1e400")]
    public void NumberText_NeverUsesExponentsThatMergeDifferentValues(string json, string canonical) =>
        Assert.Equal(canonical, CanonicalJson.NumberText(Policies.Json(json)));

    [Fact]
    public void Sha256_TinyNumbers_DifferFromZero() =>
        Assert.NotEqual(CanonicalJson.Sha256(Policies.Json("{\"maximum\":0.00005}")), CanonicalJson.Sha256(Policies.Json("{\"maximum\":0}")));
}

using McpWarden.Gateway.Audit;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.Audit;

public sealed class ArgumentRedactorTests
{
    private static string Redact(string arguments, ArgumentRedactor? redactor = null) =>
        (redactor ?? ArgumentRedactor.Default).Redact(Policies.Json(arguments));

    [Theory]
    [InlineData("password")]
    [InlineData("Password")]
    [InlineData("api_key")]
    [InlineData("apiKey")]
    [InlineData("ApiKey")]
    [InlineData("APIKey")]
    [InlineData("X-API-KEY")]
    [InlineData("x.api.key")]
    [InlineData("client_secret")]
    [InlineData("clientSecret")]
    [InlineData("CLIENT-SECRET")]
    [InlineData("access_token")]
    [InlineData("refreshToken")]
    [InlineData("pin")]
    [InlineData("PIN")]
    [InlineData("mpesa_pin")]
    [InlineData("pinCode")]
    [InlineData("Authorization")]
    [InlineData("private_key")]
    [InlineData("card cvv")]
    [InlineData("tokens")]
    [InlineData("api_keys")]
    [InlineData("credentials")]
    [InlineData("client_secrets")]
    [InlineData("passwords")]
    public void IsSecret_DefaultTerms_MatchWholeWordsInAnySpelling(string name) =>
        Assert.True(ArgumentRedactor.Default.IsSecret(name));

    [Theory]
    [InlineData("shipping")]
    [InlineData("pass")]
    [InlineData("spinner")]
    [InlineData("opinion")]
    [InlineData("tokenizer")]
    [InlineData("amount")]
    [InlineData("api")]
    [InlineData("key")]
    [InlineData("keyboard_api")]
    [InlineData("")]
    public void IsSecret_WordsThatOnlyContainATerm_AreNotSecrets(string name) =>
        Assert.False(ArgumentRedactor.Default.IsSecret(name));

    [Theory]
    [InlineData("apikey")]
    [InlineData("APIKEY")]
    [InlineData("privatekey")]
    public void IsSecret_MultiWordTermWrittenAsOneWord_IsASecret(string name) =>
        Assert.True(ArgumentRedactor.Default.IsSecret(name));

    [Fact]
    public void Redact_SecretsAtEveryDepth_AreReplacedAndTheRestIsCanonical()
    {
        var redacted = Redact("""
            {"to":"0700000000","amount":1.50,"password":"hunter2","shipping":"Nairobi",
             "auth":{"clientSecret":"s3cr3t","X-API-KEY":"k","scopes":["a","b"]},
             "accounts":[{"pin":"1234","name":"main"},{"pin":{"nested":"object"}},["plain", {"token":null}]]}
            """);

        Assert.Equal(
            """{"accounts":[{"name":"main","pin":"[redacted]"},{"pin":"[redacted]"},["plain",{"token":"[redacted]"}]],"amount":1.5,"auth":{"X-API-KEY":"[redacted]","clientSecret":"[redacted]","scopes":["a","b"]},"password":"[redacted]","shipping":"Nairobi","to":"0700000000"}""",
            redacted);
        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("1234", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_CustomTerms_ReplaceTheDefaults()
    {
        var redactor = new ArgumentRedactor(["msisdn", "national_id"]);

        var redacted = Redact("""{"msisdn":"254700000000","NationalId":"12345678","password":"hunter2"}""", redactor);

        Assert.Equal("""{"NationalId":"[redacted]","msisdn":"[redacted]","password":"hunter2"}""", redacted);
    }

    [Fact]
    public void Redact_NoTerms_RedactsNothing()
    {
        Assert.Equal("""{"password":"hunter2"}""", Redact("""{"password":"hunter2"}""", new ArgumentRedactor([])));
    }

    [Theory]
    [InlineData("[]", "[]")]
    [InlineData("\"text\"", "\"text\"")]
    [InlineData("[{\"secret\":1}]", "[{\"secret\":\"[redacted]\"}]")]
    public void Redact_ArgumentsThatAreNotAnObject_AreStillRedacted(string arguments, string expected) =>
        Assert.Equal(expected, Redact(arguments));

    [Fact]
    public void Redact_MissingArguments_AreAnEmptyObject() =>
        Assert.Equal("{}", ArgumentRedactor.Default.Redact(default));
}

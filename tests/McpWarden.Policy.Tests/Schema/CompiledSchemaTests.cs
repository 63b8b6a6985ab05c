using System.Text.Json;
using Xunit;
using static McpWarden.Policy.Tests.Schema.SchemaTestHelpers;

namespace McpWarden.Policy.Tests.Schema;

public sealed class CompiledSchemaTests
{
    private const string PaymentSchema = """
        {"type":"object",
         "properties":{
           "account":{"type":"string","pattern":"^[A-Z]{2}[0-9]{6}$"},
           "amount":{"type":"number","minimum":0,"maximum":50000},
           "count":{"type":"integer"},
           "currency":{"enum":["EUR","USD","GBP"]},
           "urgent":{"type":"boolean"},
           "memo":{"type":"string","maxLength":140}},
         "required":["account","amount","currency"],
         "additionalProperties":false}
        """;

    private const string ValidPayment = """{"account":"DE123456","amount":1250.5,"count":3,"currency":"EUR","urgent":false,"memo":"Invoice 42"}""";

    [Fact]
    public void Validate_ValidSixFieldObject_AllocatesNothing()
    {
        var schema = Compile(PaymentSchema);
        using var instance = JsonDocument.Parse(ValidPayment);
        Assert.True(schema.Validate(instance.RootElement).IsValid);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            schema.Validate(instance.RootElement);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Validate_ParallelCallsOnOneSchema_GiveConsistentResults()
    {
        var schema = Compile(PaymentSchema);
        using var valid = JsonDocument.Parse(ValidPayment);
        using var invalid = JsonDocument.Parse("""{"account":"DE123456","amount":50001,"currency":"EUR"}""");

        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 20_000, i =>
        {
            var result = schema.Validate(i % 2 == 0 ? valid.RootElement : invalid.RootElement);
            outcomes.Add(result.IsValid ? "valid" : $"{result.Error!.InstancePath} {result.Error.Keyword} {result.Error.Message}");
        });

        Assert.Equal(10_000, outcomes.Count(o => o == "valid"));
        Assert.Equal(10_000, outcomes.Count(o => o == "/amount maximum 50001 is greater than the maximum 50000"));
    }

    [Fact]
    public void Validate_DefaultJsonElement_FailsClosed() =>
        Assert.False(Compile("true").Validate(default).IsValid);

    [Fact]
    public void Validate_AfterSchemaDocumentDisposed_StillUsesEnumAndConstValues()
    {
        var schema = Compile("""{"enum":["a"],"const":"a"}""");
        using var instance = JsonDocument.Parse("\"a\"");

        Assert.True(schema.Validate(instance.RootElement).IsValid);
    }
}

using System.Text.Json.Serialization;

namespace McpWarden.Fixture.Resources;

/// <summary>What <c>test://template/{id}/data</c> reads as, with the id substituted.</summary>
internal sealed record TemplateDataContent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("templateTest")] bool TemplateTest,
    [property: JsonPropertyName("data")] string Data);

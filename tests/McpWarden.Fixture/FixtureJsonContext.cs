using System.Text.Json;
using System.Text.Json.Serialization;
using McpWarden.Fixture.Resources;
using McpWarden.Fixture.Tools;

namespace McpWarden.Fixture;

/// <summary>Source-generated JSON for what the fixture writes itself (the call log, echoed arguments).</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(IDictionary<string, JsonElement>))]
[JsonSerializable(typeof(CallLogEntry))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(TemplateDataContent))]
internal sealed partial class FixtureJsonContext : JsonSerializerContext;

using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace McpWarden.Fixture.Tools;

/// <summary>
/// The tools the MCP conformance suite (<c>@modelcontextprotocol/conformance</c>) calls by name, each doing
/// what its scenario checks (see docs/conformance.md).
/// </summary>
internal sealed class ConformanceTools(TimeProvider time)
{
    /// <summary>The pause between the notifications a tool sends, so a client sees them arrive one by one.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a client waits before reconnecting after <c>test_reconnection</c> closes its stream.</summary>
    private static readonly TimeSpan ReconnectAfter = TimeSpan.FromMilliseconds(500);

    public IEnumerable<FixtureTool> All() =>
    [
        Tool("test_simple_text", "Returns a simple text response", Schemas.NoArguments,
            (_, _) => ValueTask.FromResult(ToolResults.Text("This is a simple text response for testing."))),
        Tool("test_image_content", "Returns a small PNG image", Schemas.NoArguments,
            (_, _) => ValueTask.FromResult(new CallToolResult { Content = [Image()] })),
        Tool("test_audio_content", "Returns a short WAV audio clip", Schemas.NoArguments,
            (_, _) => ValueTask.FromResult(new CallToolResult { Content = [new AudioContentBlock { Data = Base64(TestMedia.SilentWav), MimeType = "audio/wav" }] })),
        Tool("test_embedded_resource", "Returns an embedded text resource", Schemas.NoArguments,
            (_, _) => ValueTask.FromResult(new CallToolResult
            {
                Content = [new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." } }],
            })),
        Tool("test_multiple_content_types", "Returns text, an image and an embedded resource together", Schemas.NoArguments,
            (_, _) => ValueTask.FromResult(new CallToolResult
            {
                Content =
                [
                    new TextContentBlock { Text = "Multiple content types test:" },
                    Image(),
                    new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" } },
                ],
            })),
        Tool("test_tool_with_logging", "Sends three log messages while it runs", Schemas.NoArguments, WithLoggingAsync),
        Tool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100 while it runs", Schemas.NoArguments, WithProgressAsync),
        Tool("test_error_handling", "Always fails, returning a tool error", Schemas.NoArguments,
            (_, _) => ValueTask.FromResult(ToolResults.Error("This tool intentionally returns an error for testing"))),
        Tool("test_sampling", "Asks the client's model to complete a prompt",
            Schemas.Parse("""{ "type": "object", "properties": { "prompt": { "type": "string", "description": "The prompt to send to the LLM" } }, "required": ["prompt"] }"""),
            SamplingAsync),
        Tool("test_elicitation", "Asks the user for a username and an email address",
            Schemas.Parse("""{ "type": "object", "properties": { "message": { "type": "string", "description": "The message to show the user" } }, "required": ["message"] }"""),
            ElicitationAsync),
        Tool("test_elicitation_sep1034_defaults", "Asks the user for values that all have defaults (SEP-1034)", Schemas.NoArguments, ElicitationWithDefaultsAsync),
        Tool("test_elicitation_sep1330_enums", "Asks the user to choose from every kind of enum (SEP-1330)", Schemas.NoArguments, ElicitationWithEnumsAsync),
        Tool("test_reconnection", "Closes its response stream before answering, so the client must reconnect to get the result", Schemas.NoArguments, ReconnectionAsync),
        Tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
            Schemas.Parse("""
                {
                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "type": "object",
                  "$defs": {
                    "address": {
                      "type": "object",
                      "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
                    }
                  },
                  "properties": {
                    "name": { "type": "string" },
                    "address": { "$ref": "#/$defs/address" }
                  },
                  "additionalProperties": false
                }
                """),
            (request, _) => ValueTask.FromResult(ToolResults.Text($"Received: {ToolResults.ArgumentsJson(request.Params)}"))),
    ];

    private static FixtureTool Tool(string name, string description, JsonElement inputSchema, McpRequestHandler<CallToolRequestParams, CallToolResult> invoke) =>
        new(new Tool { Name = name, Description = description, InputSchema = inputSchema }, invoke);

    private static ImageContentBlock Image() => new() { Data = Base64(TestMedia.RedPixelPng), MimeType = "image/png" };

    private static ReadOnlyMemory<byte> Base64(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    private async ValueTask<CallToolResult> WithLoggingAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        string[] messages = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (var i = 0; i < messages.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(Step, time, cancellationToken);
            }

            await LogAsync(request.Server, LoggingLevel.Info, messages[i], cancellationToken);
        }

        return ToolResults.Text("Tool with logging executed successfully");
    }

    private static async ValueTask LogAsync(McpServer server, LoggingLevel level, string message, CancellationToken cancellationToken)
    {
        // The client chose a threshold with logging/setLevel; below it nothing is sent.
        if (server.LoggingLevel is { } threshold && level < threshold)
        {
            return;
        }

        await server.SendNotificationAsync(
            NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams { Level = level, Logger = "mcpwarden-fixture", Data = JsonSerializer.SerializeToElement(message, FixtureJsonContext.Default.String) },
            cancellationToken: cancellationToken);
    }

    private async ValueTask<CallToolResult> WithProgressAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var token = request.Params?.ProgressToken;
        int[] steps = [0, 50, 100];
        for (var i = 0; i < steps.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(Step, time, cancellationToken);
            }

            if (token is { } progressToken)
            {
                await request.Server.NotifyProgressAsync(progressToken, new ProgressNotificationValue { Progress = steps[i], Total = 100 }, cancellationToken: cancellationToken);
            }
        }

        return ToolResults.Text("Tool with progress executed successfully");
    }

    private static async ValueTask<CallToolResult> SamplingAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (request.Server.ClientCapabilities?.Sampling is null)
        {
            return ToolResults.Error("The client does not support sampling.");
        }

        var prompt = StringArgument(request.Params, "prompt") ?? "";
        var answer = await request.Server.SampleAsync(
            new CreateMessageRequestParams { Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }], MaxTokens = 100 },
            cancellationToken);
        var text = string.Concat(answer.Content.OfType<TextContentBlock>().Select(block => block.Text));
        return ToolResults.Text($"LLM response: {text}");
    }

    private static async ValueTask<CallToolResult> ElicitationAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (request.Server.ClientCapabilities?.Elicitation is null)
        {
            return ToolResults.Error("The client does not support elicitation.");
        }

        var answer = await request.Server.ElicitAsync(new ElicitRequestParams
        {
            Message = StringArgument(request.Params, "message") ?? "Please provide your information",
            RequestedSchema = new RequestSchema
            {
                Properties = new Dictionary<string, PrimitiveSchemaDefinition>
                {
                    ["username"] = new StringSchema { Description = "User's response" },
                    ["email"] = new StringSchema { Description = "User's email address" },
                },
                Required = ["username", "email"],
            },
        }, cancellationToken);
        return ToolResults.Text($"User response: {Describe(answer)}");
    }

    private static async ValueTask<CallToolResult> ElicitationWithDefaultsAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (request.Server.ClientCapabilities?.Elicitation is null)
        {
            return ToolResults.Error("The client does not support elicitation.");
        }

        var answer = await request.Server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please review and update the form fields with defaults",
            RequestedSchema = new RequestSchema
            {
                Properties = new Dictionary<string, PrimitiveSchemaDefinition>
                {
                    ["name"] = new StringSchema { Description = "User name", Default = "John Doe" },
                    ["age"] = new NumberSchema { Type = "integer", Description = "User age", Default = 30 },
                    ["score"] = new NumberSchema { Description = "User score", Default = 95.5 },
                    ["status"] = new UntitledSingleSelectEnumSchema { Description = "User status", Enum = ["active", "inactive", "pending"], Default = "active" },
                    ["verified"] = new BooleanSchema { Description = "Verification status", Default = true },
                },
            },
        }, cancellationToken);
        return ToolResults.Text($"Elicitation completed: {Describe(answer)}");
    }

    private static async ValueTask<CallToolResult> ElicitationWithEnumsAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (request.Server.ClientCapabilities?.Elicitation is null)
        {
            return ToolResults.Error("The client does not support elicitation.");
        }

        var answer = await request.Server.ElicitAsync(new ElicitRequestParams
        {
            Message = "Please choose from each kind of list",
            RequestedSchema = new RequestSchema
            {
                Properties = new Dictionary<string, PrimitiveSchemaDefinition>
                {
                    ["untitledSingle"] = new UntitledSingleSelectEnumSchema { Enum = ["option1", "option2", "option3"] },
                    ["titledSingle"] = new TitledSingleSelectEnumSchema
                    {
                        OneOf = [new EnumSchemaOption { Const = "value1", Title = "First Option" }, new EnumSchemaOption { Const = "value2", Title = "Second Option" }, new EnumSchemaOption { Const = "value3", Title = "Third Option" }],
                    },
                    ["legacyEnum"] = new LegacyTitledEnumSchema { Enum = ["opt1", "opt2", "opt3"], EnumNames = ["Option One", "Option Two", "Option Three"] },
                    ["untitledMulti"] = new UntitledMultiSelectEnumSchema { Items = new UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] } },
                    ["titledMulti"] = new TitledMultiSelectEnumSchema
                    {
                        Items = new TitledEnumItemsSchema
                        {
                            AnyOf = [new EnumSchemaOption { Const = "value1", Title = "First Choice" }, new EnumSchemaOption { Const = "value2", Title = "Second Choice" }, new EnumSchemaOption { Const = "value3", Title = "Third Choice" }],
                        },
                    },
                },
            },
        }, cancellationToken);
        return ToolResults.Text($"Elicitation completed: {Describe(answer)}");
    }

    private async ValueTask<CallToolResult> ReconnectionAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        try
        {
            // Ends this request's SSE stream now; the result is kept in the session's event store until the
            // client comes back with Last-Event-ID.
            await request.EnablePollingAsync(ReconnectAfter, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Over stdio there is no stream to close: the result simply follows.
            return ToolResults.Text("Reconnection test completed successfully");
        }

        // The call goes on working after its stream closed, as a long call would. Answering at once would
        // race the transport closing the response, and the result could still slip onto the old stream.
        await Task.Delay(Step, time, cancellationToken);
        return ToolResults.Text("Reconnection test completed successfully");
    }

    private static string Describe(ElicitResult answer) =>
        $"action={answer.Action}, content={(answer.Content is null ? "{}" : JsonSerializer.Serialize(answer.Content, FixtureJsonContext.Default.IDictionaryStringJsonElement))}";

    private static string? StringArgument(CallToolRequestParams? request, string name) =>
        request?.Arguments is { } arguments && arguments.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

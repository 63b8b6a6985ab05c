using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Prompts;

/// <summary>The conformance suite's prompts, and completion of their arguments.</summary>
internal static class FixturePrompts
{
    public const string Simple = "test_simple_prompt";
    public const string WithArguments = "test_prompt_with_arguments";
    public const string WithEmbeddedResource = "test_prompt_with_embedded_resource";
    public const string WithImage = "test_prompt_with_image";

    /// <summary>What completion offers for any prompt argument or template variable, filtered by the typed prefix.</summary>
    private static readonly string[] Suggestions = ["paris", "park", "party", "123", "456"];

    private static readonly Prompt[] Listing =
    [
        new Prompt { Name = Simple, Description = "A simple prompt without arguments" },
        new Prompt
        {
            Name = WithArguments,
            Description = "A prompt with two required arguments",
            Arguments =
            [
                new PromptArgument { Name = "arg1", Description = "First test argument", Required = true },
                new PromptArgument { Name = "arg2", Description = "Second test argument", Required = true },
            ],
        },
        new Prompt
        {
            Name = WithEmbeddedResource,
            Description = "A prompt that embeds a resource",
            Arguments = [new PromptArgument { Name = "resourceUri", Description = "URI of the resource to embed", Required = true }],
        },
        new Prompt { Name = WithImage, Description = "A prompt that includes an image" },
    ];

    public static ValueTask<ListPromptsResult> ListAsync(RequestContext<ListPromptsRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListPromptsResult { Prompts = [.. Listing] });

    public static ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken)
    {
        var name = request.Params?.Name;
        string? Argument(string argument) =>
            request.Params?.Arguments is { } arguments && arguments.TryGetValue(argument, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                ? value.GetString()
                : null;

        IList<PromptMessage> messages = name switch
        {
            Simple => [User(new TextContentBlock { Text = "This is a simple prompt for testing." })],
            WithArguments => [User(new TextContentBlock { Text = $"Prompt with arguments: arg1='{Argument("arg1")}', arg2='{Argument("arg2")}'" })],
            WithEmbeddedResource =>
            [
                User(new EmbeddedResourceBlock
                {
                    Resource = new TextResourceContents { Uri = Argument("resourceUri") ?? "test://example-resource", MimeType = "text/plain", Text = "Embedded resource content for testing." },
                }),
                User(new TextContentBlock { Text = "Please process the embedded resource above." }),
            ],
            WithImage =>
            [
                User(new ImageContentBlock { Data = System.Text.Encoding.ASCII.GetBytes(TestMedia.RedPixelPng), MimeType = "image/png" }),
                User(new TextContentBlock { Text = "Please analyze the image above." }),
            ],
            _ => throw new McpProtocolException($"Unknown prompt: '{name}'", McpErrorCode.InvalidParams),
        };
        return ValueTask.FromResult(new GetPromptResult { Messages = messages });
    }

    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        var typed = request.Params?.Argument.Value ?? "";
        var values = Suggestions.Where(value => value.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToList();
        return ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = values, Total = values.Count, HasMore = false } });
    }

    private static PromptMessage User(ContentBlock content) => new() { Role = Role.User, Content = content };
}

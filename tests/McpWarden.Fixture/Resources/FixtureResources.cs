using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Resources;

/// <summary>
/// The conformance suite's resources: a text and a binary one, a template, and a watched resource that
/// can be subscribed to. The watched resource never changes on its own: subscribing to it is answered with
/// one update notification, and nothing more is sent, so no subscription state is kept.
/// </summary>
internal static partial class FixtureResources
{
    public const string StaticText = "test://static-text";
    public const string StaticBinary = "test://static-binary";
    public const string Watched = "test://watched-resource";
    public const string Template = "test://template/{id}/data";

    private static readonly Resource[] Listing =
    [
        new Resource { Uri = StaticText, Name = "static-text", Description = "A static text resource", MimeType = "text/plain" },
        new Resource { Uri = StaticBinary, Name = "static-binary", Description = "A static binary resource (a PNG image)", MimeType = "image/png" },
        new Resource { Uri = Watched, Name = "watched-resource", Description = "A resource that can be subscribed to", MimeType = "text/plain" },
    ];

    private static readonly ResourceTemplate[] Templates =
    [
        new ResourceTemplate { UriTemplate = Template, Name = "template-data", Description = "Data for an id, substituted into the URI", MimeType = "application/json" },
    ];

    public static ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListResourcesResult { Resources = [.. Listing] });

    public static ValueTask<ListResourceTemplatesResult> ListTemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ListResourceTemplatesResult { ResourceTemplates = [.. Templates] });

    public static ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri ?? "";
        ResourceContents contents = uri switch
        {
            StaticText => new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = "This is the content of the static text resource." },
            StaticBinary => new BlobResourceContents { Uri = uri, MimeType = "image/png", Blob = System.Text.Encoding.ASCII.GetBytes(TestMedia.RedPixelPng) },
            Watched => new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = "This is the content of the watched resource." },
            _ when TemplateUri().Match(uri) is { Success: true } match => TemplateData(uri, match.Groups["id"].Value),
            _ => throw new McpProtocolException($"Resource not found: '{uri}'", McpErrorCode.ResourceNotFound),
        };
        return ValueTask.FromResult(new ReadResourceResult { Contents = [contents] });
    }

    public static async ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri ?? "";
        if (uri == Watched)
        {
            // The watched resource reports its current state at once, so a client (or a test through a
            // gateway) sees the update notification travel without waiting for a change.
            await request.Server.SendNotificationAsync(
                NotificationMethods.ResourceUpdatedNotification,
                new ResourceUpdatedNotificationParams { Uri = uri },
                cancellationToken: cancellationToken);
        }

        return new EmptyResult();
    }

    public static ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new EmptyResult());

    private static TextResourceContents TemplateData(string uri, string id) => new()
    {
        Uri = uri,
        MimeType = "application/json",
        Text = JsonSerializer.Serialize(new TemplateDataContent(id, true, $"Data for ID: {id}"), FixtureJsonContext.Default.TemplateDataContent),
    };

    [GeneratedRegex("^test://template/(?<id>[^/]+)/data$")]
    private static partial Regex TemplateUri();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Pinning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using static McpWarden.Admin.AdminAnswers;

namespace McpWarden.Admin;

/// <summary>
/// <c>GET /api/pins[?server=NAME]</c> and <c>POST /api/pins/{server}/{tool}/accept</c> (body
/// <c>{"fingerprint": HEX}</c>, required): the pinned tool definitions, and accepting the changed one a person
/// reviewed. The tool is the rest of the path before <c>/accept</c>, so a name holding <c>/</c> can be addressed
/// (written as is or as <c>%2F</c>). An accept applies at once: the server's running sessions read their tools
/// again and tell their clients the list changed.
/// </summary>
internal sealed class PinEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;

    private readonly ToolVetting _vetting;
    private readonly LiveConfiguration _live;

    public PinEndpoints(ToolVetting vetting, LiveConfiguration live) => (_vetting, _live) = (vetting, live);

    /// <summary>Adds the endpoints to the admin group (which has already checked the origin and the token).</summary>
    public void Map(RouteGroupBuilder api)
    {
        api.MapGet("/pins", (Func<HttpContext, Task<IResult>>)ListAsync);
        // A catch-all must end the route, so "/accept" is read off its end (PinTarget).
        api.MapPost("/pins/{server}/{**rest}", (Func<HttpContext, Task<IResult>>)AcceptAsync);
    }

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var server = context.Request.Query["server"].ToString() is { Length: > 0 } name ? name : null;
        if (server is not null && _live.Server(server) is null)
        {
            return Error(StatusCodes.Status404NotFound, $"the configuration has no server {JsonSerializer.Serialize(server)}");
        }

        var pins = await _vetting.Pins.ListAsync(server, context.RequestAborted).ConfigureAwait(false);
        return Json(new JsonArray([.. pins.Select(p => (JsonNode)PinJson.ToJson(p))]));
    }

    private async Task<IResult> AcceptAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        if (PinTarget.Parse(rawTarget) is not { } target)
        {
            return Error(StatusCodes.Status404NotFound, "no such endpoint: accepting a pin is POST /api/pins/{server}/{tool}/accept");
        }

        var (server, tool) = target;

        var (fingerprint, problem) = await ReadFingerprintAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (problem is not null)
        {
            return Error(StatusCodes.Status400BadRequest, problem);
        }

        if (fingerprint is null)
        {
            // Only what a person reviewed is accepted: the definition is named by its fingerprint, never implied.
            return Error(StatusCodes.Status400BadRequest, "the body must be {\"fingerprint\": HEX}, the 64 hex digits of the changed definition reviewed (changed.fingerprint in GET /api/pins)");
        }

        var result = await _vetting.AcceptAsync(server, tool, fingerprint, context.RequestAborted).ConfigureAwait(false);
        var named = $"{server}/{tool}";
        switch (result)
        {
            case PinAcceptance.Accepted:
                var pin = (await _vetting.Pins.ListAsync(server, context.RequestAborted).ConfigureAwait(false)).First(p => p.Tool == tool);
                return Json(PinJson.ToJson(pin));
            case PinAcceptance.UnknownTool:
                return Error(StatusCodes.Status404NotFound, $"{JsonSerializer.Serialize(named)} is not pinned: no gateway has listed such a tool");
            case PinAcceptance.NothingToAccept:
                return Error(StatusCodes.Status409Conflict, $"{JsonSerializer.Serialize(named)} has no changed definition waiting to be accepted");
            default:
                return Error(StatusCodes.Status409Conflict, $"the changed definition waiting for {JsonSerializer.Serialize(named)} does not have the fingerprint {fingerprint}: the server changed it again; review it with GET /api/pins");
        }
    }

    /// <summary>The body <c>{"fingerprint": HEX}</c>, read strictly; (null, null) when it is empty.</summary>
    private static async Task<(string? Fingerprint, string? Problem)> ReadFingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false) is not { } buffer)
        {
            return (null, $"the body is larger than {MaxBodyBytes} bytes");
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            if (JsonNode.Parse(buffer) is not JsonObject body)
            {
                return (null, "the body must be a JSON object such as {\"fingerprint\": \"...\"}");
            }

            string? fingerprint = null;
            foreach (var (name, value) in body)
            {
                if (name != "fingerprint")
                {
                    return (null, $"unknown field {JsonSerializer.Serialize(name)}: the body may carry only \"fingerprint\"");
                }

                if (value is not JsonValue text || !text.TryGetValue(out fingerprint) || fingerprint.Length != 64 || !fingerprint.All(char.IsAsciiHexDigitLower))
                {
                    return (null, "\"fingerprint\" must be the 64 lower-case hex digits of the changed definition's fingerprint");
                }
            }

            return (fingerprint, null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return (null, $"the body is not acceptable JSON: {e.Message}");
        }
    }
}

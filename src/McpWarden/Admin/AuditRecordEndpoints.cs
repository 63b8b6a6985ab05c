using System.Globalization;
using System.Text.Json;
using McpWarden.Gateway.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static McpWarden.Admin.AdminAnswers;

namespace McpWarden.Admin;

/// <summary>
/// <c>GET /api/audit/{id}</c>: one audit record by its id, in the shape <c>GET /api/audit</c> lists it (so a
/// detail view can be opened, bookmarked and reloaded on its own).
/// </summary>
internal sealed class AuditRecordEndpoints
{
    private readonly IAuditSink _audit;

    public AuditRecordEndpoints(IAuditSink audit) => _audit = audit;

    /// <summary>Adds the endpoint to the admin group (which has already checked the origin and the token).</summary>
    public void Map(RouteGroupBuilder api) => api.MapGet("/audit/{id}", (HttpContext context, string id) => GetAsync(context, id));

    private async Task<IResult> GetAsync(HttpContext context, string id)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number == long.MaxValue)
        {
            return Error(StatusCodes.Status400BadRequest, $"an audit record's id is a positive whole number, got {JsonSerializer.Serialize(id)}");
        }

        // Ids are never reused and paging reads below an id, so the newest record below id + 1 is the one, if it exists.
        var found = await _audit.QueryAsync(new AuditQuery { BeforeId = number + 1, Limit = 1 }, context.RequestAborted).ConfigureAwait(false);
        return found is [var record] && record.Id == number
            ? Results.Content(AuditJson.ToJson(record).ToJsonString(), "application/json")
            : Error(StatusCodes.Status404NotFound, $"no audit record has the id {number}");
    }
}

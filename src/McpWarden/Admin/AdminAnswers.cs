using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace McpWarden.Admin;

/// <summary>How every admin endpoint answers: JSON, and a refusal as <c>{"error": "..."}</c> with its status.</summary>
internal static class AdminAnswers
{
    public static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Content(body.ToJsonString(), "application/json", statusCode: status);

    public static IResult Error(int status, string message) => Json(new JsonObject { ["error"] = message }, status);

    /// <summary>A request's whole body, or null when it is longer than <paramref name="maxBytes"/> (read no further).</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(maxBytes + 1, 16 * 1024)];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

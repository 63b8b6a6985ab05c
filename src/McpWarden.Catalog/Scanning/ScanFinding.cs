namespace McpWarden.Catalog.Scanning;

/// <summary>Something in a model-visible string that looks like an attempt to steer the model.</summary>
/// <param name="Kind">One of <see cref="ScanKinds"/>.</param>
/// <param name="Path">JSON Pointer to the string inside the tool's definition (e.g. <c>/inputSchema/properties/path/description</c>), or <c>/instructions</c> for the server's.</param>
/// <param name="Excerpt">The offending text, escaped and shortened so it is safe to print.</param>
/// <param name="Message">What was found, in a sentence.</param>
public sealed record ScanFinding(string Kind, string Path, string Excerpt, string Message);

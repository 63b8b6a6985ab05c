namespace McpWarden.Catalog.Classification;

/// <summary>One thing in a tool's definition that the classifier read, and what it took it to mean.</summary>
/// <param name="Source">Where it was found: <c>name</c>, <c>title</c>, <c>description</c>, <c>inputSchema /properties/amount</c>, <c>annotations</c>, <c>server</c>.</param>
/// <param name="Quote">The words as the server wrote them (shortened when long).</param>
/// <param name="Meaning">What they indicate, e.g. <c>moves money</c>.</param>
public sealed record Evidence(string Source, string Quote, string Meaning);

namespace McpWarden.Catalog.Recommendation;

/// <summary>A recommended policy and the tools it had to leave to its default deny.</summary>
/// <param name="Json">The policy document (indented JSON, tools sorted by name, ending with a newline).</param>
/// <param name="LeftToDefault">Tools that got no rule of their own, with why; they fall under <c>"default": "deny"</c>.</param>
public sealed record PolicyRecommendation(string Json, IReadOnlyList<LeftToDefault> LeftToDefault);

/// <summary>A tool the recommendation could not give a rule of its own.</summary>
/// <param name="Reason">Why, in a sentence (e.g. its name contains <c>*</c>, which a policy key reads as a pattern).</param>
public sealed record LeftToDefault(string Tool, string Reason);

namespace McpWarden.Catalog.Classification;

/// <summary>One row of the classifier's tables: a word or phrase (whole words, lower case), what it signals, and the meaning quoted in rationales.</summary>
/// <param name="Phrase">One word or several separated by spaces, matched as consecutive whole words.</param>
internal sealed record SignalRule(string Phrase, Signal Signal, string Meaning)
{
    public string[] Words { get; } = Phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

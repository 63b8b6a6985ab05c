namespace McpWarden.Catalog.Classification;

/// <summary>Where in a definition a signal was found, and the words that raised it.</summary>
internal enum SignalSource
{
    Name,
    Title,

    /// <summary>The first words of the description's first sentence: where its main verb sits.</summary>
    DescriptionLead,
    Description,
    InputSchema,
    OutputSchema,
    Server,
    Annotations,
}

/// <summary>One signal found in a definition.</summary>
/// <param name="Quote">The text it was found in, as the server wrote it (shortened later).</param>
/// <param name="Word">The matched word or phrase, lower case.</param>
internal sealed record SignalHit(Signal Signal, SignalSource Source, string Quote, string Word, string Meaning);

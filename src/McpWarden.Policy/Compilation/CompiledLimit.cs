using McpWarden.Policy.Definitions;

namespace McpWarden.Policy.Compilation;

/// <summary>A limit ready for evaluation: its window, budget and how a call's key and units are derived.</summary>
public sealed class CompiledLimit
{
    internal CompiledLimit(LimitDefinition definition)
    {
        Path = definition.Path;
        Counter = definition.Counter;
        Window = definition.Window;
        WindowText = definition.WindowText ?? Parsing.PolicyParser.FormatSeconds(definition.Window);
        Max = definition.Max;
        Scope = definition.Scope;
        By = definition.By is null ? null : new ArgumentReference(definition.By);
        Cost = definition.Cost is null ? null : new ArgumentReference(definition.Cost);
    }

    /// <summary>JSON path of the limit in the policy (the rule path reported when it denies).</summary>
    public string Path { get; }

    public string Counter { get; }

    public TimeSpan Window { get; }

    /// <summary>The window as the policy wrote it (<c>minute</c>, <c>60</c>), for people to read.</summary>
    public string WindowText { get; }

    public decimal Max { get; }

    public LimitScope Scope { get; }

    public ArgumentReference? By { get; }

    public ArgumentReference? Cost { get; }
}

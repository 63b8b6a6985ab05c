using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using McpWarden.Policy.Definitions;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Evaluation;

/// <summary>
/// The identity of one budget, and the one place its text form is defined:
/// <c>scope:server:owner:counter[:partition]</c>, each part with <c>%</c> and <c>:</c> escaped (<c>%25</c>,
/// <c>%3A</c>) so that no grant, session or argument value can forge another budget's key. Counter stores keep
/// budgets by <see cref="Text"/>; the admin API reads them back with <see cref="TryParse"/>.
/// </summary>
/// <param name="Scope">Whose budget.</param>
/// <param name="Server">The configured server: each server's policy has its own budgets.</param>
/// <param name="Owner">The grant name or session label; empty for a global budget.</param>
/// <param name="Counter">The limit's counter name.</param>
/// <param name="Partition">The encoded value of the limit's <c>by</c> argument (see <see cref="PartitionOf"/>), or null.</param>
public sealed record BudgetKey(LimitScope Scope, string Server, string Owner, string Counter, string? Partition)
{
    /// <summary>Partitions longer than this are kept as the SHA-256 of their text.</summary>
    public const int MaxPartitionLength = 64;

    private const char StringPrefix = 's';
    private const char JsonPrefix = 'j';
    private const char HashPrefix = 'h';

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>The key as counter stores keep it.</summary>
    public string Text
    {
        get
        {
            var builder = new StringBuilder(64).Append(ScopeName(Scope)).Append(':');
            AppendEscaped(builder, Server).Append(':');
            AppendEscaped(builder, Owner).Append(':');
            AppendEscaped(builder, Counter);
            if (Partition is { } partition)
            {
                AppendEscaped(builder.Append(':'), partition);
            }

            return builder.ToString();
        }
    }

    /// <summary>How the partition was kept: null without one.</summary>
    public BudgetPartitionKind? PartitionKind => Partition is { Length: > 0 } partition
        ? partition[0] switch
        {
            StringPrefix => BudgetPartitionKind.Text,
            JsonPrefix => BudgetPartitionKind.Json,
            _ => BudgetPartitionKind.Sha256,
        }
        : null;

    /// <summary>
    /// The partition as a person reads it: a string value's text, another value's canonical JSON, or the
    /// lower-case hex SHA-256 of a value too long to keep (the value itself is not recoverable).
    /// </summary>
    public string? PartitionDisplay => Partition is { Length: > 0 } partition ? partition[1..] : null;

    /// <summary>The name a policy and the API give a scope.</summary>
    public static string ScopeName(LimitScope scope) => scope switch
    {
        LimitScope.Grant => "grant",
        LimitScope.Session => "session",
        _ => "global",
    };

    /// <summary>
    /// The partition a value names: strings by their text, other values by their canonical JSON; long ones by
    /// the SHA-256 of that, so that an agent cannot make the store hold megabyte keys.
    /// </summary>
    public static string PartitionOf(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? StringPrefix + value.GetString() : JsonPrefix + CanonicalJson.ToText(value);
        return text.Length <= MaxPartitionLength
            ? text
            : HashPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Reads a key that <see cref="Text"/> wrote; false for anything else (no key is guessed at).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out BudgetKey? key)
    {
        key = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length is not (4 or 5))
        {
            return false;
        }

        LimitScope? scope = parts[0] switch
        {
            "grant" => LimitScope.Grant,
            "session" => LimitScope.Session,
            "global" => LimitScope.Global,
            _ => null,
        };

        var unescaped = new string[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
        {
            if (Unescape(parts[i]) is not { } part)
            {
                return false;
            }

            unescaped[i - 1] = part;
        }

        var partition = parts.Length == 5 ? unescaped[3] : null;
        if (scope is not { } s
            || (s == LimitScope.Global) != (unescaped[1].Length == 0)
            || unescaped[2].Length == 0
            || (partition is not null && !IsPartition(partition)))
        {
            return false;
        }

        key = new BudgetKey(s, unescaped[0], unescaped[1], unescaped[2], partition);
        return true;
    }

    private static bool IsPartition(string partition) => partition.Length > 0 && partition[0] switch
    {
        StringPrefix or JsonPrefix => partition.Length <= MaxPartitionLength,
        HashPrefix => partition.Length == 65 && !partition.AsSpan(1).ContainsAnyExcept(LowerHex),
        _ => false,
    };

    private static StringBuilder AppendEscaped(StringBuilder builder, string part)
    {
        foreach (var c in part)
        {
            _ = c switch
            {
                '%' => builder.Append("%25"),
                ':' => builder.Append("%3A"),
                _ => builder.Append(c),
            };
        }

        return builder;
    }

    /// <summary>Undoes <see cref="AppendEscaped"/>; null when the text has an escape it never writes.</summary>
    private static string? Unescape(string part)
    {
        if (!part.Contains('%', StringComparison.Ordinal))
        {
            return part;
        }

        var builder = new StringBuilder(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] != '%')
            {
                builder.Append(part[i]);
                continue;
            }

            var escape = i + 3 <= part.Length ? part.Substring(i, 3) : string.Empty;
            switch (escape)
            {
                case "%25":
                    builder.Append('%');
                    break;
                case "%3A":
                    builder.Append(':');
                    break;
                default:
                    return null;
            }

            i += 2;
        }

        return builder.ToString();
    }
}

/// <summary>How a budget's partition value was kept.</summary>
public enum BudgetPartitionKind
{
    /// <summary>A string argument, by its text.</summary>
    Text,
    /// <summary>Another JSON value, by its canonical JSON.</summary>
    Json,
    /// <summary>A value too long to keep, by the SHA-256 of its text.</summary>
    Sha256,
}

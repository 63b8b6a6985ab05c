using System.Text;

namespace McpWarden.Fuzzing.Tests.Generators;

/// <summary>
/// One generated input: a valid seed document changed by tree mutations and then byte mutations, or raw
/// bytes. Printed in full when a property fails, so the case can be read and replayed.
/// </summary>
internal sealed class FuzzCase
{
    private readonly Lazy<byte[]> _bytes;

    public FuzzCase(Seed seed, IReadOnlyList<Mutation> mutations, IReadOnlyList<ByteMutation> byteMutations)
    {
        SeedName = seed.Name;
        Mutations = mutations;
        ByteMutations = byteMutations;
        _bytes = new(() =>
        {
            var tree = seed.Tree.Clone();
            foreach (var mutation in mutations)
            {
                tree = mutation.ApplyTo(tree);
            }

            var bytes = Encoding.UTF8.GetBytes(tree.ToJson());
            return byteMutations.Aggregate(bytes, (text, mutation) => mutation.ApplyTo(text));
        });
    }

    public FuzzCase(byte[] raw)
    {
        SeedName = "raw bytes";
        Mutations = [];
        ByteMutations = [];
        _bytes = new(raw);
    }

    public string SeedName { get; }

    public IReadOnlyList<Mutation> Mutations { get; }

    public IReadOnlyList<ByteMutation> ByteMutations { get; }

    /// <summary>Whether the seed went through unchanged (such a case must be accepted).</summary>
    public bool IsUnchangedSeed => SeedName != "raw bytes" && Mutations.Count == 0 && ByteMutations.Count == 0;

    public byte[] Bytes => _bytes.Value;

    public override string ToString()
    {
        var bytes = Bytes;
        var text = new StringBuilder($"seed {SeedName}");
        foreach (var mutation in Mutations)
        {
            text.Append("\n  then ").Append(mutation);
        }

        foreach (var mutation in ByteMutations)
        {
            text.Append("\n  then ").Append(mutation);
        }

        text.Append($"\n  input ({bytes.Length} bytes): ").Append(Printable.Of(bytes, 2000));
        if (bytes.Length <= 8192)
        {
            text.Append("\n  base64: ").Append(Convert.ToBase64String(bytes));
        }

        return text.ToString();
    }
}

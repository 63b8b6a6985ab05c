namespace McpWarden.Fuzzing.Tests.Generators;

internal enum MutationKind
{
    DropMember,
    DuplicateMember,
    RenameKey,
    ReplaceValue,
    AddMember,
    WrapInArray,
    WrapInObject,
    DropItem,
    DuplicateItem,
}

/// <summary>
/// One structural change to a JSON tree. <see cref="Target"/> picks a value in document order and
/// <see cref="Slot"/> a member or item of it, both modulo what exists, so every generated mutation applies
/// to any tree (one that finds nothing to act on leaves the tree as it is).
/// </summary>
/// <param name="Key">The key written by a rename or an added member.</param>
/// <param name="Value">Raw JSON text (possibly invalid on purpose) written by a replacement or an added member.</param>
internal sealed record Mutation(MutationKind Kind, int Target, int Slot, string Key, string Value)
{
    public JsonTree ApplyTo(JsonTree root)
    {
        var places = new List<(JsonTree Node, Action<JsonTree> Replace)>();
        Collect(root, replacement => root = replacement, places);
        var (node, replace) = places[Target % places.Count];
        switch (Kind, node)
        {
            case (MutationKind.DropMember, JsonTree.ObjectTree o) when o.Members.Count > 0:
                o.Members.RemoveAt(Slot % o.Members.Count);
                break;
            case (MutationKind.DuplicateMember, JsonTree.ObjectTree o) when o.Members.Count > 0:
                var twin = o.Members[Slot % o.Members.Count];
                o.Members.Insert(Slot % (o.Members.Count + 1), new(twin.Key, Slot % 2 == 0 ? twin.Value.Clone() : new JsonTree.Atom(Value)));
                break;
            case (MutationKind.RenameKey, JsonTree.ObjectTree o) when o.Members.Count > 0:
                var index = Slot % o.Members.Count;
                o.Members[index] = new(Key, o.Members[index].Value);
                break;
            case (MutationKind.AddMember, JsonTree.ObjectTree o):
                o.Members.Insert(Slot % (o.Members.Count + 1), new(Key, new JsonTree.Atom(Value)));
                break;
            case (MutationKind.DropItem, JsonTree.ArrayTree a) when a.Items.Count > 0:
                a.Items.RemoveAt(Slot % a.Items.Count);
                break;
            case (MutationKind.DuplicateItem, JsonTree.ArrayTree a) when a.Items.Count > 0:
                a.Items.Insert(Slot % (a.Items.Count + 1), a.Items[Slot % a.Items.Count].Clone());
                break;
            case (MutationKind.ReplaceValue, _):
                replace(new JsonTree.Atom(Value));
                break;
            case (MutationKind.WrapInArray, _):
                replace(new JsonTree.ArrayTree([node]));
                break;
            case (MutationKind.WrapInObject, _):
                replace(new JsonTree.ObjectTree([new(Key, node)]));
                break;
        }

        return root;
    }

    public override string ToString() => $"{Kind}(target {Target}, slot {Slot}, key {Printable.Of(Key, 80)}, value {Printable.Of(Value, 120)})";

    private static void Collect(JsonTree node, Action<JsonTree> replace, List<(JsonTree, Action<JsonTree>)> places)
    {
        places.Add((node, replace));
        switch (node)
        {
            case JsonTree.ObjectTree o:
                for (var i = 0; i < o.Members.Count; i++)
                {
                    var at = i;
                    Collect(o.Members[i].Value, replacement => o.Members[at] = new(o.Members[at].Key, replacement), places);
                }

                break;
            case JsonTree.ArrayTree a:
                for (var i = 0; i < a.Items.Count; i++)
                {
                    var at = i;
                    Collect(a.Items[i], replacement => a.Items[at] = replacement, places);
                }

                break;
        }
    }
}

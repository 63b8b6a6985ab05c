using System.Text;
using System.Text.Json;
using McpWarden.Policy.Schema.Keywords;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Schema;

/// <summary>The per-object part of a compilation: turns each keyword of one schema object into a validator.</summary>
internal sealed partial class SchemaCompilerSession
{
    private static readonly string[] AnnotationKeywords =
    [
        "title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly",
        "contentMediaType", "contentEncoding", "contentSchema", "format", "$vocabulary",
    ];

    private sealed class KeywordCompiler(
        SchemaCompilerSession session, JsonElement schema, string path, SchemaNode node, Uri baseUri, List<KeywordValidator> validators)
    {
        // unevaluated* must see every sibling's annotations, so they run after all other keywords of the object.
        private readonly List<KeywordValidator> late = [];
        private PropertiesValidator? properties;
        private PatternPropertiesValidator? patternProperties;

        private bool IsDraft7 => session.dialect == SchemaDialect.Draft7;

        public void Run()
        {
            // additionalProperties needs its siblings whatever order the document lists them in.
            if (schema.TryGetProperty("properties", out var declared))
            {
                properties = BuildProperties(declared, JsonPointer.Append(path, "properties"));
            }

            if (schema.TryGetProperty("patternProperties", out var patterns))
            {
                patternProperties = BuildPatternProperties(patterns, JsonPointer.Append(path, "patternProperties"));
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in schema.EnumerateObject())
            {
                var at = JsonPointer.Append(path, member.Name);
                if (!seen.Add(member.Name))
                {
                    // Parsers disagree on which duplicate wins; in a policy that ambiguity is an error. Upstream, both apply.
                    if (session.IsPolicy)
                    {
                        session.Invalid(at, $"keyword {JsonText.Quote(member.Name)} appears more than once");
                    }

                    if (member.Name is "properties" or "patternProperties")
                    {
                        continue;
                    }
                }

                CompileKeyword(member.Name, member.Value, at);
            }

            validators.AddRange(late);
        }

        private void CompileKeyword(string keyword, JsonElement value, string at)
        {
            switch (keyword)
            {
                case "type":
                    CompileType(value, at);
                    break;
                case "enum":
                    CompileEnum(value, at);
                    break;
                case "const":
                    validators.Add(new ConstValidator(at, value.Clone()));
                    break;
                case "properties":
                    AddIfBuilt(properties);
                    break;
                case "patternProperties":
                    AddIfBuilt(patternProperties);
                    break;
                case "additionalProperties":
                    validators.Add(new AdditionalPropertiesValidator(at, properties, patternProperties, Subschema(value, at, keyword)));
                    break;
                case "propertyNames":
                    validators.Add(new PropertyNamesValidator(at, Subschema(value, at, keyword)));
                    break;
                case "required":
                    if (ReadStrings(value, at, keyword) is { } required)
                    {
                        validators.Add(new RequiredValidator(at, Utf8(required), required));
                    }

                    break;
                case "items":
                    CompileItems(value, at);
                    break;
                case "prefixItems" when !IsDraft7:
                    if (session.CompileSchemaArray(value, at, keyword, baseUri) is { } prefix)
                    {
                        validators.Add(new PrefixItemsValidator(keyword, at, prefix));
                    }

                    break;
                case "additionalItems" when IsDraft7:
                    CompileAdditionalItems(value, at);
                    break;
                case "contains":
                    CompileContains(value, at);
                    break;
                case "minContains" or "maxContains" when !IsDraft7:
                    ReadCount(value, at, keyword, out _);
                    break;
                case "minLength" or "maxLength":
                    if (ReadCount(value, at, keyword, out var length))
                    {
                        validators.Add(new StringLengthValidator(keyword, at, length, keyword == "maxLength"));
                    }

                    break;
                case "minItems" or "maxItems":
                    if (ReadCount(value, at, keyword, out var items))
                    {
                        validators.Add(new CountValidator(keyword, at, items, keyword == "maxItems", JsonValueKind.Array));
                    }

                    break;
                case "minProperties" or "maxProperties":
                    if (ReadCount(value, at, keyword, out var count))
                    {
                        validators.Add(new CountValidator(keyword, at, count, keyword == "maxProperties", JsonValueKind.Object));
                    }

                    break;
                case "minimum" or "maximum":
                    CompileLimit(keyword, value, at);
                    break;
                case "exclusiveMinimum" or "exclusiveMaximum":
                    CompileExclusiveLimit(keyword, value, at);
                    break;
                case "multipleOf":
                    CompileMultipleOf(value, at);
                    break;
                case "pattern":
                    if (session.CompilePattern(value, at, keyword) is { } matcher)
                    {
                        validators.Add(new PatternValidator(at, matcher));
                    }

                    break;
                case "uniqueItems":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        session.Invalid(at, $"\"uniqueItems\" must be a boolean, got {JsonText.Describe(value)}");
                    }
                    else if (value.ValueKind == JsonValueKind.True)
                    {
                        validators.Add(new UniqueItemsValidator(at));
                    }

                    break;
                case "allOf":
                    if (session.CompileSchemaArray(value, at, keyword, baseUri) is { } all)
                    {
                        validators.Add(new AllOfValidator(at, all));
                    }

                    break;
                case "anyOf":
                    if (session.CompileSchemaArray(value, at, keyword, baseUri) is { } any)
                    {
                        validators.Add(new AnyOfValidator(at, any));
                    }

                    break;
                case "oneOf":
                    if (session.CompileSchemaArray(value, at, keyword, baseUri) is { } one)
                    {
                        validators.Add(new OneOfValidator(at, one));
                    }

                    break;
                case "not":
                    validators.Add(new NotValidator(at, Subschema(value, at, keyword)));
                    break;
                case "if":
                    CompileIf(value, at);
                    break;
                case "then" or "else":
                    // Applied by "if"; compiled here too so that a then/else without an if still gets its diagnostics.
                    Subschema(value, at, keyword);
                    break;
                case "dependentRequired" when !IsDraft7:
                    CompileDependencies(keyword, value, at, allowSchemas: false, allowArrays: true);
                    break;
                case "dependentSchemas" when !IsDraft7:
                    CompileDependencies(keyword, value, at, allowSchemas: true, allowArrays: false);
                    break;
                case "dependencies":
                    // Draft-07's keyword; also honoured under 2020-12, whose spec suggests keeping it for compatibility.
                    CompileDependencies(keyword, value, at, allowSchemas: true, allowArrays: true);
                    break;
                case "unevaluatedProperties" when !IsDraft7:
                    late.Add(new UnevaluatedPropertiesValidator(at, node, Subschema(value, at, keyword)));
                    break;
                case "unevaluatedItems" when !IsDraft7:
                    late.Add(new UnevaluatedItemsValidator(at, node, Subschema(value, at, keyword)));
                    break;
                case "$ref":
                    session.AddReference(validators, value, at, baseUri);
                    break;
                case "$defs" or "definitions":
                    session.CompileSchemaMap(value, at, keyword, baseUri);
                    break;
                case "$schema":
                    CheckNestedSchemaUri(value, at);
                    break;
                case "$anchor" when !IsDraft7:
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        session.Invalid(at, $"\"$anchor\" must be a string, got {JsonText.Describe(value)}");
                    }
                    else
                    {
                        session.RegisterAnchor(baseUri, value.GetString()!, at, path);
                    }

                    break;
                case "$id":
                    // A subschema's $id was already read by EnterResource; only the root's is checked here.
                    if (path.Length == 0 && value.ValueKind != JsonValueKind.String)
                    {
                        session.Invalid(at, $"\"$id\" must be a string, got {JsonText.Describe(value)}");
                    }

                    break;
                default:
                    CompileOtherKeyword(keyword, at);
                    break;
            }
        }

        private void CompileOtherKeyword(string keyword, string at)
        {
            if (Array.IndexOf(AnnotationKeywords, keyword) >= 0)
            {
                return;
            }

            if (Array.IndexOf(KeywordCatalog.Unsupported, keyword) >= 0)
            {
                session.Unsupported(at, $"\"{keyword}\" is not supported");
            }
            else if (Array.IndexOf(IsDraft7 ? KeywordCatalog.Draft202012Only : KeywordCatalog.Draft7Only, keyword) >= 0)
            {
                session.OtherDraft(at, keyword);
            }
            else
            {
                session.Unknown(at, keyword);
            }
        }

        private SchemaNode Subschema(JsonElement value, string at, string keyword) => session.CompileSchema(value, at, keyword, baseUri);

        private void AddIfBuilt(KeywordValidator? validator)
        {
            if (validator is not null)
            {
                validators.Add(validator);
            }
        }

        private PropertiesValidator? BuildProperties(JsonElement value, string at)
        {
            if (session.CompileSchemaMap(value, at, "properties", baseUri) is not { } map)
            {
                return null;
            }

            return new PropertiesValidator(at, Utf8(map.Names), map.Names, map.Nodes);
        }

        private PatternPropertiesValidator? BuildPatternProperties(JsonElement value, string at)
        {
            if (session.CompileSchemaMap(value, at, "patternProperties", baseUri) is not { } map)
            {
                return null;
            }

            var matchers = new List<PatternMatcher>();
            var compiled = new List<SchemaNode>();
            for (var i = 0; i < map.Names.Length; i++)
            {
                if (session.CompilePattern(map.Names[i], JsonPointer.Append(at, map.Names[i]), "patternProperties") is { } matcher)
                {
                    matchers.Add(matcher);
                    compiled.Add(map.Nodes[i]);
                }
            }

            return new PatternPropertiesValidator(at, [.. matchers], [.. compiled]);
        }

        private void CompileType(JsonElement value, string at)
        {
            var types = JsonTypes.None;
            var names = new List<string>();
            var valid = value.ValueKind switch
            {
                JsonValueKind.String => AddType(value.GetString()!),
                JsonValueKind.Array when value.GetArrayLength() > 0 => value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String && AddType(t.GetString()!)),
                _ => false,
            };
            if (!valid)
            {
                session.Invalid(at, $"\"type\" must be one of \"null\", \"boolean\", \"object\", \"array\", \"number\", \"string\", \"integer\" or a non-empty array of them, got {JsonText.Describe(value)}"
                    + (value.ValueKind == JsonValueKind.Array ? " " + JsonText.Quote(value) : string.Empty));
                return;
            }

            var expected = string.Join(" or ", names);
            validators.Add(new TypeValidator(at, types, expected));

            bool AddType(string name)
            {
                var type = name switch
                {
                    "null" => JsonTypes.Null,
                    "boolean" => JsonTypes.Boolean,
                    "object" => JsonTypes.Object,
                    "array" => JsonTypes.Array,
                    "number" => JsonTypes.Number,
                    "string" => JsonTypes.String,
                    "integer" => JsonTypes.Integer,
                    _ => JsonTypes.None,
                };
                types |= type;
                names.Add(JsonText.Quote(name));
                return type != JsonTypes.None;
            }
        }

        private void CompileEnum(JsonElement value, string at)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                session.Invalid(at, $"\"enum\" must be an array, got {JsonText.Describe(value)}");
                return;
            }

            var values = value.EnumerateArray().Select(v => v.Clone()).ToArray();
            var listing = new StringBuilder("[");
            for (var i = 0; i < values.Length && i < 10; i++)
            {
                listing.Append(i == 0 ? string.Empty : ", ").Append(JsonText.Quote(values[i]));
            }

            listing.Append(values.Length > 10 ? ", …]" : "]");
            validators.Add(new EnumValidator(at, values, listing.ToString()));
        }

        private void CompileItems(JsonElement value, string at)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                if (!IsDraft7)
                {
                    session.Invalid(at, "\"items\" must be a schema in draft 2020-12, got array (use \"prefixItems\" for tuples)");
                }
                else if (session.CompileSchemaArray(value, at, "items", baseUri, allowEmpty: true) is { } tuple)
                {
                    validators.Add(new PrefixItemsValidator("items", at, tuple));
                }

                return;
            }

            var start = !IsDraft7 && schema.TryGetProperty("prefixItems", out var prefix) && prefix.ValueKind == JsonValueKind.Array
                ? prefix.GetArrayLength()
                : 0;
            validators.Add(new ItemsValidator("items", at, start, Subschema(value, at, "items")));
        }

        private void CompileAdditionalItems(JsonElement value, string at)
        {
            var node = Subschema(value, at, "additionalItems");

            // additionalItems only means something after a tuple-form items; otherwise draft-07 ignores it.
            if (schema.TryGetProperty("items", out var tuple) && tuple.ValueKind == JsonValueKind.Array)
            {
                validators.Add(new ItemsValidator("additionalItems", at, tuple.GetArrayLength(), node));
            }
        }

        private void CompileContains(JsonElement value, string at)
        {
            var node = Subschema(value, at, "contains");
            long minContains = 1;
            long? maxContains = null;
            if (!IsDraft7)
            {
                if (schema.TryGetProperty("minContains", out var min) && TryCount(min, out var minValue))
                {
                    minContains = minValue;
                }

                if (schema.TryGetProperty("maxContains", out var max) && TryCount(max, out var maxValue))
                {
                    maxContains = maxValue;
                }
            }

            validators.Add(new ContainsValidator(at, node, minContains, maxContains));
        }

        private void CompileLimit(string keyword, JsonElement value, string at)
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                session.Invalid(at, $"\"{keyword}\" must be a number, got {JsonText.Describe(value)}");
                return;
            }

            // The draft-04 boolean form of exclusiveMinimum/exclusiveMaximum turns this limit exclusive.
            var isMinimum = keyword == "minimum";
            var exclusive = schema.TryGetProperty(isMinimum ? "exclusiveMinimum" : "exclusiveMaximum", out var flag) && flag.ValueKind == JsonValueKind.True;
            var kind = (isMinimum, exclusive) switch
            {
                (true, false) => NumericLimitKind.Minimum,
                (true, true) => NumericLimitKind.ExclusiveMinimum,
                (false, false) => NumericLimitKind.Maximum,
                _ => NumericLimitKind.ExclusiveMaximum,
            };
            validators.Add(new NumericLimitValidator(keyword, at, kind, NumberValue.From(value)));
        }

        private void CompileExclusiveLimit(string keyword, JsonElement value, string at)
        {
            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.Number)
            {
                session.Invalid(at, $"\"{keyword}\" must be a number, got {JsonText.Describe(value)}");
                return;
            }

            var kind = keyword == "exclusiveMinimum" ? NumericLimitKind.ExclusiveMinimum : NumericLimitKind.ExclusiveMaximum;
            validators.Add(new NumericLimitValidator(keyword, at, kind, NumberValue.From(value)));
        }

        private void CompileMultipleOf(JsonElement value, string at)
        {
            var divisor = value.ValueKind == JsonValueKind.Number ? NumberValue.From(value) : default;
            var positive = value.ValueKind == JsonValueKind.Number && (divisor.HasDecimal ? divisor.Decimal > 0 : divisor.Double > 0);
            if (!positive)
            {
                session.Invalid(at, $"\"multipleOf\" must be a number greater than 0, got {JsonText.Describe(value)}");
                return;
            }

            validators.Add(new MultipleOfValidator(at, divisor));
        }

        private void CompileIf(JsonElement value, string at)
        {
            var condition = Subschema(value, at, "if");
            var then = schema.TryGetProperty("then", out var thenValue) ? Subschema(thenValue, JsonPointer.Append(path, "then"), "then") : null;
            var otherwise = schema.TryGetProperty("else", out var elseValue) ? Subschema(elseValue, JsonPointer.Append(path, "else"), "else") : null;

            // Added even without then/else: unevaluated* still sees the annotations of a passing "if".
            validators.Add(new IfThenElseValidator(at, condition, then, otherwise));
        }

        private void CompileDependencies(string keyword, JsonElement value, string at, bool allowSchemas, bool allowArrays)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                session.Invalid(at, $"\"{keyword}\" must be an object, got {JsonText.Describe(value)}");
                return;
            }

            var requiredTriggers = new List<string>();
            var requiredNames = new List<string[]>();
            var schemaTriggers = new List<string>();
            var schemaNodes = new List<SchemaNode>();
            foreach (var member in value.EnumerateObject())
            {
                var memberPath = JsonPointer.Append(at, member.Name);
                if (allowArrays && member.Value.ValueKind == JsonValueKind.Array)
                {
                    if (ReadStrings(member.Value, memberPath, keyword) is { } names)
                    {
                        requiredTriggers.Add(member.Name);
                        requiredNames.Add(names);
                    }
                }
                else if (allowSchemas && member.Value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
                {
                    schemaTriggers.Add(member.Name);
                    schemaNodes.Add(session.CompileSchema(member.Value, memberPath, keyword, baseUri));
                }
                else
                {
                    var expected = (allowArrays, allowSchemas) switch
                    {
                        (true, true) => "an array of property names or a schema",
                        (true, false) => "an array of property names",
                        _ => "a schema",
                    };
                    session.Invalid(memberPath, $"\"{keyword}\" entry {JsonText.Quote(member.Name)} must be {expected}, got {JsonText.Describe(member.Value)}");
                }
            }

            if (requiredTriggers.Count > 0)
            {
                validators.Add(new DependentRequiredValidator(keyword, at, Utf8([.. requiredTriggers]), [.. requiredTriggers],
                    [.. requiredNames.Select(Utf8)], [.. requiredNames]));
            }

            if (schemaTriggers.Count > 0)
            {
                validators.Add(new DependentSchemasValidator(keyword, at, Utf8([.. schemaTriggers]), [.. schemaNodes]));
            }
        }

        private void CheckNestedSchemaUri(JsonElement value, string at)
        {
            if (path.Length == 0)
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                session.Invalid(at, $"\"$schema\" must be a string, got {JsonText.Describe(value)}");
            }
            else if (!TryParseDialect(value.GetString()!, out var nested) || nested != session.dialect)
            {
                session.Unsupported(at, $"\"$schema\" {JsonText.Quote(value)} in a subschema: changing dialect inside a schema is not supported");
            }
        }

        private string[]? ReadStrings(JsonElement value, string at, string keyword)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                session.Invalid(at, $"\"{keyword}\" must be an array of property names, got {JsonText.Describe(value)}");
                return null;
            }

            var names = new List<string>();
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    names.Add(item.GetString()!);
                }
                else
                {
                    session.Invalid(JsonPointer.Append(at, index), $"\"{keyword}\" must contain only strings, got {JsonText.Describe(item)}");
                }

                index++;
            }

            return names.Count == index ? [.. names] : null;
        }

        private bool ReadCount(JsonElement value, string at, string keyword, out long count)
        {
            if (TryCount(value, out count))
            {
                return true;
            }

            session.Invalid(at, $"\"{keyword}\" must be a non-negative integer, got {JsonText.Describe(value)}");
            return false;
        }

        private static bool TryCount(JsonElement value, out long count)
        {
            count = 0;
            if (value.ValueKind != JsonValueKind.Number || !JsonNumber.IsInteger(value) || JsonNumber.GetDouble(value) < 0)
            {
                return false;
            }

            // A count beyond long.MaxValue cannot be reached by any instance, so clamping keeps its meaning.
            count = value.TryGetDecimal(out var exact) && exact <= long.MaxValue ? (long)exact : long.MaxValue;
            return true;
        }

        private static byte[][] Utf8(string[] names) => [.. names.Select(Encoding.UTF8.GetBytes)];
    }
}

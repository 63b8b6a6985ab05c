// The policy builder's document logic, without the DOM: the builder edits the parsed policy IN PLACE, so every
// field it does not show (an "approval" block, the "rate_limit" shorthand, "$schema", schema keywords such as
// "description" or "$comment") stays exactly as it was. The preview and the save are serialise(document).

export const ACTIONS = ["allow", "deny", "approve"];
export const WINDOWS = ["second", "minute", "hour", "day"];
export const SCOPES = ["grant", "session", "global"];

/** A new policy: deny by default, no rules (what "Start from scratch" opens). */
export function emptyPolicy() {
  return { version: "1", default: "deny", tools: {} };
}

/** The text saved for a document: two-space JSON and a final newline. */
export function serialise(document) {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Parses a policy text for editing. Fails (ok: false, with why) when it is not a JSON object, or when it holds a
 * number JavaScript cannot carry exactly (12345678901234567890, 1e400): editing it would change what it says.
 */
export function parseForEditing(text) {
  const lossy = [];
  let document;
  try {
    document = JSON.parse(text, function reviver(key, value, context) {
      if (typeof value === "number" && context && typeof context.source === "string" && !sameNumber(context.source, value)) {
        lossy.push(context.source);
      }
      return value;
    });
  } catch (error) {
    return { ok: false, reason: `the text is not JSON (${error.message})` };
  }
  if (!isObject(document)) {
    return { ok: false, reason: "the policy is not a JSON object" };
  }
  if (lossy.length > 0) {
    return { ok: false, reason: `it holds numbers the browser cannot keep exactly (${lossy.slice(0, 3).join(", ")}); edit it as a file` };
  }
  return { ok: true, document };
}

/** Whether the JSON number text and the double it parsed to are the same decimal value. */
export function sameNumber(source, value) {
  if (!Number.isFinite(value)) {
    return false;
  }
  return decimalKey(source) === decimalKey(numberText(value));
}

function numberText(value) {
  // String(1e21) is "1e+21"; String(-0) is "0": both parse below.
  return Object.is(value, -0) ? "-0" : String(value);
}

/** A decimal number text reduced to sign, significant digits and exponent, so equal values compare equal. */
function decimalKey(text) {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) {
    return `?${text}`;
  }
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  let digits = (whole + fraction).replace(/^0+/, "");
  if (digits === "") {
    return "0";
  }
  let power = Number(exponent) - fraction.length;
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trailing);
  power += trailing;
  return `${sign}${digits}e${power}`;
}

export function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own property even when the name is "__proto__" or "constructor" (tool names come from servers). */
export function setOwn(target, name, value) {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

export function getOwn(target, name) {
  return isObject(target) && Object.hasOwn(target, name) ? target[name] : undefined;
}

/** The RFC 6901 pointer of a path of names and indexes. */
export function pointer(...segments) {
  return segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** The pointer one level up ("" for the root). */
export function parentPointer(path) {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "" : path.slice(0, cut);
}

/**
 * The document's rules object. Reading never adds "tools" to a document that has none (that would change its
 * revision); create does, for an edit that adds a rule.
 */
export function rules(document, create = false) {
  if (!isObject(document.tools)) {
    if (!create) {
      return {};
    }
    document.tools = {};
  }
  return document.tools;
}

/** The rule for a key, created as {} (allow, no limits) when asked to. */
export function rule(document, key, create = false) {
  const tools = rules(document, create);
  let found = getOwn(tools, key);
  if (found === undefined && create) {
    found = {};
    setOwn(tools, key, found);
  }
  return found;
}

export function removeRule(document, key) {
  if (isObject(document.tools)) {
    delete document.tools[key];
  }
}

/** The effective action of a rule: "allow" when it names none. */
export function actionOf(ruleObject) {
  return isObject(ruleObject) && typeof ruleObject.action === "string" ? ruleObject.action : "allow";
}

/**
 * Sets a rule's action. An "approval" block only belongs on an approve rule (else MW2005), so leaving approve
 * puts it aside in `stash` and coming back restores it; an implicit allow stays implicit.
 */
export function setAction(ruleObject, action, stash = new Map()) {
  const before = actionOf(ruleObject);
  if (before === "approve" && action !== "approve" && Object.hasOwn(ruleObject, "approval")) {
    stash.set(ruleObject, ruleObject.approval);
    delete ruleObject.approval;
  }
  if (action === "allow" && !Object.hasOwn(ruleObject, "action")) {
    return;
  }
  ruleObject.action = action;
  if (action === "approve" && stash.has(ruleObject) && !Object.hasOwn(ruleObject, "approval")) {
    ruleObject.approval = stash.get(ruleObject);
    stash.delete(ruleObject);
  }
}

/** Sets a string field, or removes it when the text is empty. */
export function setText(target, name, text) {
  if (text === "" || text === undefined || text === null) {
    delete target[name];
  } else {
    target[name] = text;
  }
}

/**
 * A number typed into a field: a JSON number when it is one, the text as typed otherwise (so that the check
 * reports it at the field instead of the builder guessing), and absent when empty.
 */
export function numberOrText(text) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") {
    return undefined;
  }
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

export function setNumber(target, name, text) {
  const value = numberOrText(text);
  if (value === undefined) {
    delete target[name];
  } else {
    target[name] = value;
  }
}

/** A window typed into a field: a word as it is, whole seconds as a number. */
export function windowValue(text) {
  return numberOrText(text);
}

// ---- Limits ----

export function limitsOf(ruleObject, create = false) {
  if (!Array.isArray(ruleObject.limits)) {
    if (!create) {
      return [];
    }
    ruleObject.limits = [];
  }
  return ruleObject.limits;
}

/** Adds a limit: ten a minute per grant, on a counter named after the key (unique within the document). */
export function addLimit(document, key) {
  const ruleObject = rule(document, key, true);
  const limits = limitsOf(ruleObject, true);
  const limit = { counter: uniqueCounter(document, `${key.replaceAll("*", "any")}_rate`), window: "minute", max: 10, scope: "grant" };
  limits.push(limit);
  return limit;
}

export function removeLimit(ruleObject, index) {
  const limits = limitsOf(ruleObject);
  limits.splice(index, 1);
  if (limits.length === 0) {
    delete ruleObject.limits;
  }
}

/** A counter name no limit of the document uses yet (limits sharing a name share a budget). */
export function uniqueCounter(document, wanted) {
  const used = new Set();
  for (const ruleObject of Object.values(rules(document))) {
    if (isObject(ruleObject)) {
      for (const limit of Array.isArray(ruleObject.limits) ? ruleObject.limits : []) {
        if (isObject(limit) && typeof limit.counter === "string") used.add(limit.counter);
      }
    }
  }
  let name = wanted;
  for (let n = 2; used.has(name); n += 1) {
    name = `${wanted}_${n}`;
  }
  return name;
}

// ---- Argument constraints: the rule's "arguments" JSON Schema, for the common cases ----

/** The constraint keywords the builder edits, per argument; everything else in the schema is left alone. */
export const CONSTRAINTS = ["minimum", "maximum", "pattern", "enum"];

/** The rule's schema for one argument, or undefined. */
export function argumentSchema(ruleObject, name) {
  return getOwn(getOwn(getOwn(ruleObject, "arguments"), "properties"), name);
}

/**
 * Sets (or with undefined removes) one constraint of one argument. The schema is created as
 * {"type": "object", "properties": {...}} when absent, and removed again when the builder's own additions
 * leave it empty; a schema that was there before keeps whatever else it says.
 */
export function setConstraint(ruleObject, name, keyword, value) {
  if (value === undefined) {
    const schema = argumentSchema(ruleObject, name);
    if (!isObject(schema)) {
      return;
    }
    delete schema[keyword];
    prune(ruleObject, name);
    return;
  }
  if (!isObject(ruleObject.arguments)) {
    ruleObject.arguments = { type: "object", properties: {} };
  }
  if (!isObject(ruleObject.arguments.properties)) {
    ruleObject.arguments.properties = {};
  }
  let schema = getOwn(ruleObject.arguments.properties, name);
  if (!isObject(schema)) {
    schema = {};
    setOwn(ruleObject.arguments.properties, name, schema);
  }
  schema[keyword] = value;
}

/** Whether the rule's schema requires the argument. */
export function isRequired(ruleObject, name) {
  const required = getOwn(getOwn(ruleObject, "arguments"), "required");
  return Array.isArray(required) && required.includes(name);
}

export function setRequired(ruleObject, name, on) {
  if (on) {
    if (!isObject(ruleObject.arguments)) {
      ruleObject.arguments = { type: "object", properties: {} };
    }
    const required = Array.isArray(ruleObject.arguments.required) ? ruleObject.arguments.required : (ruleObject.arguments.required = []);
    if (!required.includes(name)) required.push(name);
    return;
  }
  const required = getOwn(getOwn(ruleObject, "arguments"), "required");
  if (Array.isArray(required)) {
    const at = required.indexOf(name);
    if (at >= 0) required.splice(at, 1);
    if (required.length === 0) delete ruleObject.arguments.required;
  }
  prune(ruleObject, name);
}

/** Removes an argument's schema once it is empty, and the rule's schema once it is only the builder's shell. */
function prune(ruleObject, name) {
  const schema = argumentSchema(ruleObject, name);
  if (isObject(schema) && Object.keys(schema).length === 0) {
    delete ruleObject.arguments.properties[name];
  }
  const args = ruleObject.arguments;
  if (isObject(args) && isObject(args.properties) && Object.keys(args.properties).length === 0) {
    const rest = Object.keys(args).filter((k) => k !== "properties" && !(k === "type" && args.type === "object"));
    if (rest.length === 0) {
      delete ruleObject.arguments;
    }
  }
}

/** An allowed list typed one value per line: numbers for a numeric argument, text otherwise; empty lines skipped. */
export function enumValues(text, numeric) {
  const values = String(text ?? "").split("\n").map((line) => line.trim()).filter((line) => line !== "");
  if (values.length === 0) {
    return undefined;
  }
  return values.map((v) => (numeric ? numberOrText(v) : v));
}

export function enumText(values) {
  return Array.isArray(values) ? values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n") : "";
}

/** The JSON type an input schema gives one argument: "number", "integer", "string", or undefined. */
export function argumentType(schema) {
  const type = isObject(schema) ? schema.type : undefined;
  const types = Array.isArray(type) ? type : [type];
  for (const t of ["integer", "number", "string", "boolean"]) {
    if (types.includes(t)) return t;
  }
  if (isObject(schema) && (typeof schema.minimum === "number" || typeof schema.maximum === "number")) return "number";
  return undefined;
}

// ---- The recommendation ----

/**
 * Applies a recommended policy: its default, and its rule for each tool it names, replacing the rule there was;
 * rules it does not name (patterns, tools it left to the default) stay.
 */
export function applyRecommendation(document, recommended) {
  if (typeof recommended.default === "string") {
    document.default = recommended.default;
  }
  const tools = rules(document, true);
  for (const [key, value] of Object.entries(isObject(recommended.tools) ? recommended.tools : {})) {
    setOwn(tools, key, structuredClone(value));
  }
  if (typeof document.version !== "string") {
    document.version = "1";
  }
}

// ---- Diagnostics ----

/**
 * Where each diagnostic belongs: the control whose pointer is its path, or the nearest enclosing one; those no
 * control encloses go to the summary. pointers is the set of pointers the page has controls for.
 */
export function placeDiagnostics(diagnostics, pointers) {
  const placed = new Map();
  const unplaced = [];
  for (const diagnostic of diagnostics) {
    let path = diagnostic.path ?? "";
    while (!pointers.has(path) && path !== "") {
      path = parentPointer(path);
    }
    if (pointers.has(path)) {
      if (!placed.has(path)) placed.set(path, []);
      placed.get(path).push(diagnostic);
    } else {
      unplaced.push(diagnostic);
    }
  }
  return { placed, unplaced };
}

// ---- Approval only for some calls: an approve rule's "approval.unless" JSON Schema ----

/**
 * The tests a "No person needed when…" condition can make, each one keyword of the argument's schema. kind says
 * which arguments it fits, and which JSON type the condition demands ("number": the value must be a number, so
 * "500" as a string is held; "string" likewise; undefined: enum compares values exactly, type and all).
 */
export const UNLESS_TESTS = [
  { keyword: "maximum", label: "at most", kind: "number" },
  { keyword: "minimum", label: "at least", kind: "number" },
  { keyword: "enum", label: "is one of", kind: undefined },
  { keyword: "pattern", label: "matches the pattern", kind: "string" },
];

const UNLESS_KEYWORDS = new Set(UNLESS_TESTS.map((t) => t.keyword));

/** A rule's approval.unless, or undefined. */
export function unlessOf(ruleObject) {
  return getOwn(getOwn(ruleObject, "approval"), "unless");
}

/**
 * The conditions the builder shows for an approval.unless: [] when there is none, a list of
 * { argument, keyword, value } when it is exactly what buildUnless writes for them, and null when it says
 * anything else (true, false, nested schemas, other keywords): such an unless is kept as written.
 */
export function unlessConditions(unless) {
  if (unless === undefined) {
    return [];
  }
  if (!isObject(unless) || !isObject(unless.properties)) {
    return null;
  }
  const conditions = [];
  for (const [argument, schema] of Object.entries(unless.properties)) {
    if (!isObject(schema)) {
      return null;
    }
    for (const [keyword, value] of Object.entries(schema)) {
      if (UNLESS_KEYWORDS.has(keyword)) conditions.push({ argument, keyword, value });
    }
  }
  // Only what the builder itself would write round-trips through the form; anything more is kept whole.
  return conditions.length > 0 && canonical(buildUnless(conditions)) === canonical(unless) ? conditions : null;
}

/**
 * The approval.unless for a list of conditions, all of which must hold: every named argument is required (a
 * call without it waits for a person), and a number or string test demands that type. undefined for none.
 */
export function buildUnless(conditions) {
  if (conditions.length === 0) {
    return undefined;
  }
  const properties = {};
  const required = [];
  for (const { argument, keyword, value } of conditions) {
    let schema = getOwn(properties, argument);
    if (schema === undefined) {
      schema = {};
      setOwn(properties, argument, schema);
      required.push(argument);
    }
    // An argument's first typed test gives its type ("500" as a string is not a number at most 1000).
    const kind = UNLESS_TESTS.find((t) => t.keyword === keyword)?.kind;
    if (kind && !Object.hasOwn(schema, "type")) {
      schema.type = kind;
    }
    schema[keyword] = value;
  }
  return { type: "object", properties, required };
}

/** Writes a rule's conditions as its approval.unless, or removes it (and an approval block left empty) for none. */
export function setUnless(ruleObject, conditions) {
  const unless = buildUnless(conditions);
  if (unless === undefined) {
    if (isObject(ruleObject.approval)) {
      delete ruleObject.approval.unless;
      if (Object.keys(ruleObject.approval).length === 0) delete ruleObject.approval;
    }
    return;
  }
  if (!isObject(ruleObject.approval)) {
    ruleObject.approval = {};
  }
  ruleObject.approval.unless = unless;
}

/** Removes an approval.unless the builder cannot show, so that every call waits for a person again. */
export function removeUnless(ruleObject) {
  setUnless(ruleObject, []);
}

/**
 * A value typed for a condition: a number for at most / at least (the text as typed when it is not one, and ""
 * when empty, so the check refuses it at the field rather than a missing bound letting every amount through),
 * a list for "is one of", the text for a pattern.
 */
export function unlessValue(keyword, text, numeric) {
  if (keyword === "maximum" || keyword === "minimum") {
    return numberOrText(text) ?? "";
  }
  if (keyword === "enum") {
    // An empty list matches nothing: every call waits for a person until values are given.
    return enumValues(text, numeric) ?? [];
  }
  // An empty pattern would match every string; null is refused by the check at the field until one is typed.
  const pattern = String(text ?? "");
  return pattern === "" ? null : pattern;
}

/** The text a condition's value is shown as. */
export function unlessText(keyword, value) {
  if (keyword === "enum") {
    return enumText(value);
  }
  return typeof value === "string" ? value : value === null || value === undefined ? "" : JSON.stringify(value);
}

/** JSON text with object keys sorted, so that two values compare equal whatever their key order. */
export function canonical(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(",")}]`;
  }
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

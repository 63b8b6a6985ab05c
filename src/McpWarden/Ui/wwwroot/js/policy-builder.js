// The policy builder for one server (#/policies/NAME): the default action, one card per tool (the server's live
// tools, and every key the policy has: tools the server does not list, patterns such as "*"), each with its
// action, reason, limits and argument constraints; a live preview of exactly the text Save writes; the
// diagnostics of POST /api/policies/check shown at the control their JSON pointer names. The builder edits the
// parsed document in place (js/policy-model.js), so what it does not show survives a save.
import { api, ApiError } from "./api.js";
import { announce, badge, clear, errorBanner, h, uniqueId } from "./dom.js";
import * as model from "./policy-model.js";

const CHECK_DELAY_MS = 300;

/** The server's tools and recommended policy; the gateway keeps the server's listing for 30 s, shared with the inventory. */
function recommendationFor(name) {
  return api(`/api/recommendation/${encodeURIComponent(name)}`);
}

/** Mounts the builder for server `name` into root; returns the cleanup (its pending check timer). */
export async function mountBuilder(root, name) {
  const state = {
    name,
    document: null, // the parsed policy being edited
    etag: null,
    path: "",
    tools: [], // the server's live tools: { name, title, category, risk, inputSchema }
    toolsProblem: null,
    recommendation: null,
    stash: new Map(),
    diagnostics: [],
    checked: false, // whether the diagnostics are those of the current text
    checkSeq: 0,
    timer: null,
    saving: false,
  };

  root.append(
    h("p", {}, h("a", { href: "#/policies" }, "← All policies")),
    h("h1", {}, `Policy builder: ${name}`));
  let opened;
  try {
    opened = await api(`/api/policies/${encodeURIComponent(name)}/document`);
  } catch (error) {
    root.append(errorBanner(error));
    return undefined;
  }

  state.path = opened.path;
  state.etag = opened.etag;
  if (!opened.editable) {
    root.append(
      h("p", { class: "warning", role: "status" }, opened.reason),
      opened.text ? h("pre", { "aria-label": "The policy in force" }, opened.text) : null);
    return undefined;
  }

  // data-etag says which version of the file this builder opened (tests and scripts wait on it).
  const body = h("div", { class: "builder", dataset: { etag: opened.etag } });
  root.append(h("p", { class: "muted" }, "File: ", h("code", {}, opened.path)), body);

  const parsed = opened.policy === null ? { ok: false, reason: "the file is not a JSON object without syntax errors" } : model.parseForEditing(opened.text);
  if (!parsed.ok) {
    // Nothing the builder could edit faithfully: show why, and offer a fresh start that overwrites it.
    const start = h("button", { type: "button", class: "btn", on: { click: () => { start.remove(); note.remove(); begin(model.emptyPolicy()); } } }, "Start from scratch");
    const note = h("div", { class: "card" },
      h("p", { class: "error-banner", role: "alert" }, `The builder cannot open this policy: ${parsed.reason}.`),
      diagnosticList(opened.diagnostics),
      h("pre", { "aria-label": "The file as it is" }, opened.text),
      start);
    body.append(note);
  } else {
    begin(parsed.document);
  }

  // The server's tools, with their schemas and classification, and its recommended policy: one probe.
  recommendationFor(name).then((answer) => {
    state.tools = answer.tools ?? [];
    state.recommendation = answer.policy;
    body.dataset.tools = "listed";
    if (state.document) render();
  }, (error) => {
    state.toolsProblem = error.message;
    body.dataset.tools = "failed";
    if (state.document) render();
  });

  function begin(document) {
    state.document = document;
    render();
    scheduleCheck(0);
  }

  // ---- Rendering ----

  function render() {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const selection = focusKey && "selectionStart" in document.activeElement ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null;
    clear(body);
    body.append(
      actionsBar(),
      h("div", { class: "builder-layout" },
        h("div", { class: "builder-form" }, defaultSection(), toolsSection()),
        previewSection()));
    showDiagnostics();
    updatePreview();
    if (focusKey) {
      const again = body.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      if (again) {
        again.focus();
        if (selection && "setSelectionRange" in again) {
          try { again.setSelectionRange(...selection); } catch { /* not a text control */ }
        }
      }
    }
  }

  function actionsBar() {
    const save = h("button", { type: "button", class: "btn btn-primary", id: "policy-save", on: { click: save_ } }, "Save");
    return h("div", { class: "toolbar builder-actions" },
      save,
      h("button", { type: "button", class: "btn", disabled: !state.recommendation, title: state.recommendation ? "" : "the server's tools are not known yet", on: { click: applyRecommendation } }, "Apply the recommendation"),
      h("button", { type: "button", class: "btn", on: { click: startFromScratch } }, "Start from scratch"),
      h("div", { id: "policy-status", role: "status", class: "builder-status" }),
      h("div", { id: "policy-summary", class: "builder-summary" }));
  }

  function defaultSection() {
    const select = h("select", { id: uniqueId("default"), dataset: { pointer: "/default", focusKey: "/default" } },
      model.ACTIONS.map((a) => h("option", { value: a, selected: state.document.default === a }, actionLabel(a))),
      state.document.default === undefined ? h("option", { value: "", selected: true }, "(not set: deny, with a warning)") : null);
    select.addEventListener("change", () => {
      model.setText(state.document, "default", select.value);
      render();
      edited();
    });
    return h("section", { class: "card", "aria-labelledby": "default-heading" },
      h("h2", { id: "default-heading" }, "Default"),
      fieldFor("Default action", select, "What happens to a tool that no rule matches. Denied tools are hidden from the agent."));
  }

  function toolsSection() {
    const keys = Object.keys(model.rules(state.document));
    const live = new Map(state.tools.map((t) => [t.name, t]));
    const names = [...state.tools.map((t) => t.name), ...keys.filter((k) => !live.has(k))];
    const add = h("input", { type: "text", id: uniqueId("new-rule"), dataset: { focusKey: "new-rule" }, autocomplete: "off" });
    const addButton = h("button", { type: "button", class: "btn", on: { click: () => {
      const key = add.value.trim();
      if (key !== "" && model.rule(state.document, key) === undefined) {
        model.rule(state.document, key, true);
        render();
        edited();
      }
    } } }, "Add the rule");
    return h("section", { "aria-labelledby": "tools-heading" },
      h("h2", { id: "tools-heading" }, "Tools"),
      state.toolsProblem ? h("p", { class: "warning" }, `The server's tools could not be listed (${state.toolsProblem}); the rules of the policy are shown.`) : null,
      state.tools.length === 0 && !state.toolsProblem ? h("p", { class: "muted" }, "Listing the server's tools…") : null,
      names.map((key) => toolCard(key, live.get(key))),
      h("div", { class: "card" },
        h("h3", {}, "Another tool or pattern"),
        h("div", { class: "row" },
          fieldFor("Tool name or pattern (* matches any run of characters)", add),
          addButton)));
  }

  function toolCard(key, tool) {
    const rule = model.rule(state.document, key);
    const hasRule = rule !== undefined;
    const base = model.pointer("tools", key);
    const headingId = uniqueId("tool");
    const isPattern = key.includes("*");
    const action = hasRule ? model.actionOf(rule) : "";
    const inherited = state.document.default ?? "deny";

    const select = h("select", { id: uniqueId("action"), dataset: { pointer: `${base}/action`, focusKey: `${base}/action` } },
      h("option", { value: "", selected: !hasRule }, `No rule: the default (${inherited})`),
      model.ACTIONS.map((a) => h("option", { value: a, selected: action === a }, actionLabel(a))));
    select.addEventListener("change", () => {
      if (select.value === "") {
        model.removeRule(state.document, key);
      } else {
        model.setAction(model.rule(state.document, key, true), select.value, state.stash);
      }
      render();
      edited();
    });

    const card = h("section", { class: "card tool-card", "aria-labelledby": headingId, dataset: { pointer: base, tool: key } },
      h("h3", { id: headingId },
        h("code", {}, key),
        tool ? [" ", badge("cat", tool.category), " ", badge("risk", tool.risk, `${tool.risk} risk`)] : null,
        isPattern ? h("span", { class: "muted" }, " pattern") : null,
        !tool && !isPattern ? h("span", { class: "muted" }, state.tools.length > 0 ? " not listed by the server" : "") : null),
      tool?.title || tool?.description ? h("p", { class: "muted tool-description" }, tool.title ?? "", tool.title && tool.description ? ": " : "", tool.description ?? "") : null,
      h("div", { class: "section-errors", "aria-live": "polite" }),
      fieldFor(h("span", {}, "Action", h("span", { class: "sr-only" }, ` for ${key}`)), select));

    if (!hasRule) {
      return card;
    }

    card.append(textField(rule, "reason", `${base}/reason`, h("span", {}, "Reason", h("span", { class: "sr-only" }, ` for ${key}`)), "Told to the agent whenever this rule refuses a call."));
    if (action === "approve") {
      card.append(approvalFields(rule, base, key, tool));
    }
    if (Object.hasOwn(rule, "rate_limit")) {
      card.append(h("div", { class: "kept", dataset: { pointer: `${base}/rate_limit` } },
        h("p", { class: "muted" }, "rate_limit (shorthand, kept as written): ", h("code", {}, JSON.stringify(rule.rate_limit))),
        h("div", { class: "section-errors" })));
    }
    card.append(limitsFields(rule, base, key, tool), argumentsFields(rule, base, key, tool));
    return card;
  }

  function approvalFields(rule, base, key, tool) {
    const approval = model.isObject(rule.approval) ? rule.approval : undefined;
    const timeout = h("input", { type: "text", inputmode: "numeric", id: uniqueId("timeout"), value: approval?.timeout ?? "", placeholder: "300", dataset: { pointer: `${base}/approval/timeout`, focusKey: `${base}/approval/timeout` } });
    timeout.addEventListener("input", () => {
      const value = model.numberOrText(timeout.value);
      if (value === undefined) {
        if (model.isObject(rule.approval)) {
          delete rule.approval.timeout;
          if (Object.keys(rule.approval).length === 0) delete rule.approval;
        }
      } else {
        if (!model.isObject(rule.approval)) rule.approval = {};
        rule.approval.timeout = value;
      }
      edited();
    });
    return h("div", { class: "approval", dataset: { pointer: `${base}/approval` } },
      h("p", { class: "muted" }, "A call of this tool waits for a person (Approvals page), unless it meets every condition under “No person needed when…”. A maximum under Argument constraints caps what anyone can be asked to approve."),
      h("div", { class: "section-errors" }),
      fieldFor(h("span", {}, "Approval timeout in seconds", h("span", { class: "sr-only" }, ` for ${key}`)), timeout, "How long a call waits before it is refused (1 to 86,400; 300 when empty)."),
      unlessFields(rule, base, key, tool));
  }

  /**
   * "No person needed when…": the rule's approval.unless, built from conditions on the arguments (all must hold).
   * An unless the form cannot show is kept as written, with a way to remove it.
   */
  function unlessFields(rule, base, key, tool) {
    const at = `${base}/approval/unless`;
    const unless = model.unlessOf(rule);
    const conditions = model.unlessConditions(unless);
    const legend = h("legend", {}, "No person needed when…", h("span", { class: "sr-only" }, ` for ${key}`));
    if (conditions === null) {
      const remove = h("button", { type: "button", class: "btn", on: { click: () => { model.removeUnless(rule); render(); edited(); } } }, "Remove it: every call waits for a person", h("span", { class: "sr-only" }, ` for ${key}`));
      return h("fieldset", { class: "unless", dataset: { pointer: at } }, legend,
        h("div", { class: "section-errors" }),
        h("p", { class: "muted" }, "A condition written by hand (kept as written): calls whose arguments match this JSON Schema need no person."),
        h("pre", { class: "unless-kept" }, JSON.stringify(unless, null, 2)),
        remove);
    }

    const declared = model.getOwn(tool?.inputSchema, "properties") ?? {};
    const declaredNames = Object.keys(declared);
    const typeOf = (argument) => model.argumentType(model.getOwn(declared, argument));
    const write = () => model.setUnless(rule, conditions);

    const rows = conditions.map((condition, index) => {
      const which = ` of condition ${index + 1} for ${key}`;
      const focus = `${at}#${index}`;
      const argumentAt = `${at}/properties/${model.pointer(condition.argument).slice(1)}`;
      let argument;
      if (declaredNames.length > 0) {
        const names = declaredNames.includes(condition.argument) ? declaredNames : [condition.argument, ...declaredNames];
        argument = h("select", { id: uniqueId("unless-arg"), dataset: { pointer: argumentAt, focusKey: `${focus}/argument` } },
          names.map((n) => h("option", { value: n, selected: n === condition.argument }, n)));
        argument.addEventListener("change", () => { condition.argument = argument.value; write(); render(); edited(); });
      } else {
        argument = h("input", { type: "text", id: uniqueId("unless-arg"), value: condition.argument, dataset: { pointer: argumentAt, focusKey: `${focus}/argument` }, autocomplete: "off", spellcheck: "false" });
        argument.addEventListener("input", () => { condition.argument = argument.value; write(); edited(); });
        argument.addEventListener("change", () => render());
      }

      const type = typeOf(condition.argument);
      const numeric = type === "number" || type === "integer";
      const test = h("select", { id: uniqueId("unless-test"), dataset: { focusKey: `${focus}/test` } },
        model.UNLESS_TESTS.filter((t) => t.keyword === condition.keyword || fits(t, type)).map((t) => h("option", { value: t.keyword, selected: t.keyword === condition.keyword }, t.label)));
      test.addEventListener("change", () => {
        const text = model.unlessText(condition.keyword, condition.value);
        condition.keyword = test.value;
        condition.value = model.unlessValue(condition.keyword, condition.keyword === "enum" ? text : text.split("\n")[0], numeric);
        write();
        render();
        edited();
      });

      const valueAt = `${argumentAt}/${condition.keyword}`;
      const text = model.unlessText(condition.keyword, condition.value);
      const value = condition.keyword === "enum"
        ? h("textarea", { id: uniqueId("unless-value"), rows: 2, dataset: { pointer: valueAt, focusKey: `${focus}/value` } })
        : h("input", { type: "text", inputmode: condition.keyword === "pattern" ? "text" : "decimal", id: uniqueId("unless-value"), value: text, dataset: { pointer: valueAt, focusKey: `${focus}/value` }, autocomplete: "off", spellcheck: "false" });
      value.value = text;
      value.addEventListener("input", () => { condition.value = model.unlessValue(condition.keyword, value.value, numeric); write(); edited(); });
      const hint = { maximum: "A number; larger amounts, and values that are not numbers, wait for a person.", minimum: "A number; smaller amounts, and values that are not numbers, wait for a person.", enum: "One value per line.", pattern: "A regular expression the value must match (anchor it with ^ and $)." }[condition.keyword];

      const remove = h("button", { type: "button", class: "btn btn-quiet", "aria-label": `Remove condition ${index + 1} for ${key}`, on: { click: () => { conditions.splice(index, 1); write(); render(); edited(); } } }, "Remove");
      return h("div", { class: "row unless-condition" },
        fieldFor(labelled("Argument", which), argument),
        fieldFor(labelled("Test", which), test),
        fieldFor(labelled("Value", which), value, hint),
        remove);
    });

    const add = h("button", { type: "button", class: "btn", on: { click: () => {
      conditions.push(newCondition(conditions, declaredNames, typeOf));
      write();
      render();
      edited();
    } } }, "Add a condition", h("span", { class: "sr-only" }, ` for ${key}`));
    return h("fieldset", { class: "unless", dataset: { pointer: at } }, legend,
      h("div", { class: "section-errors" }),
      h("p", { class: "muted" }, rows.length === 0
        ? "Every call waits for a person."
        : "A call that meets all of these needs no person: it goes on as an allowed call (its limits still count). Any other call, including one without the argument or with a value of another type, waits for a person."),
      rows,
      add);
  }

  function limitsFields(rule, base, key, tool) {
    const limits = model.limitsOf(rule);
    const argumentNames = Object.keys(model.getOwn(tool?.inputSchema, "properties") ?? {});
    const listId = uniqueId("args");
    const rows = limits.map((limit, index) => {
      const at = `${base}/limits/${index}`;
      const which = ` of limit ${index + 1} for ${key}`;
      if (!model.isObject(limit)) {
        return h("div", { class: "limit", dataset: { pointer: at } }, h("p", {}, "A limit that is not an object: ", h("code", {}, JSON.stringify(limit))), h("div", { class: "section-errors" }));
      }
      const scope = h("select", { id: uniqueId("scope"), dataset: { pointer: `${at}/scope`, focusKey: `${at}/scope` } },
        Object.hasOwn(limit, "scope") ? null : h("option", { value: "", selected: true }, "(not set: grant)"),
        model.SCOPES.map((s) => h("option", { value: s, selected: limit.scope === s }, s)),
        Object.hasOwn(limit, "scope") && !model.SCOPES.includes(limit.scope) ? h("option", { value: String(limit.scope), selected: true }, String(limit.scope)) : null);
      scope.addEventListener("change", () => { model.setText(limit, "scope", scope.value); edited(); });
      const remove = h("button", { type: "button", class: "btn btn-quiet", "aria-label": `Remove limit ${index + 1} for ${key}`, on: { click: () => { model.removeLimit(rule, index); render(); edited(); } } }, "Remove");
      return h("fieldset", { class: "limit", dataset: { pointer: at } },
        h("legend", {}, `Limit ${index + 1}`),
        h("div", { class: "section-errors" }),
        h("div", { class: "row" },
          textField(limit, "counter", `${at}/counter`, labelled("Counter", which)),
          windowField(limit, `${at}/window`, labelled("Window", which)),
          numberField(limit, "max", `${at}/max`, labelled("Max", which)),
          fieldFor(labelled("Scope", which), scope),
          textField(limit, "by", `${at}/by`, labelled("By argument", which), null, listId),
          textField(limit, "cost", `${at}/cost`, labelled("Cost argument", which), null, listId),
          remove));
    });
    const add = h("button", { type: "button", class: "btn", on: { click: () => { model.addLimit(state.document, key); render(); edited(); } } }, "Add a limit", h("span", { class: "sr-only" }, ` to ${key}`));
    return h("div", { class: "limits", dataset: { pointer: `${base}/limits` } },
      h("h4", {}, "Limits"),
      h("div", { class: "section-errors" }),
      h("datalist", { id: listId }, argumentNames.map((n) => h("option", { value: n }))),
      rows.length === 0 ? h("p", { class: "muted" }, "No limits.") : rows,
      add);
  }

  function argumentsFields(rule, base, key, tool) {
    const inputProperties = model.getOwn(tool?.inputSchema, "properties") ?? {};
    const ruleProperties = model.getOwn(model.getOwn(rule, "arguments"), "properties") ?? {};
    const names = [...new Set([...Object.keys(inputProperties), ...(model.isObject(ruleProperties) ? Object.keys(ruleProperties) : [])])];
    const set = names.filter((n) => model.isObject(model.argumentSchema(rule, n)) || model.isRequired(rule, n)).length;
    const details = h("details", { class: "arguments", dataset: { pointer: `${base}/arguments` }, open: set > 0 },
      h("summary", {}, `Argument constraints (${set} set)`, h("span", { class: "sr-only" }, ` for ${key}`)),
      h("div", { class: "section-errors" }),
      names.length === 0 ? h("p", { class: "muted" }, "The server declares no arguments for this tool.") : null,
      names.map((argument) => argumentFields(rule, base, key, argument, model.getOwn(inputProperties, argument))));
    return details;
  }

  function argumentFields(rule, base, key, argument, declared) {
    const type = model.argumentType(declared) ?? model.argumentType(model.argumentSchema(rule, argument));
    const at = `${base}/arguments/properties/${model.pointer(argument).slice(1)}`;
    const which = ` of ${argument} for ${key}`;
    const schema = model.argumentSchema(rule, argument);
    const numeric = type === "number" || type === "integer";
    const fields = [];
    if (numeric || type === undefined) {
      fields.push(constraintNumber(rule, argument, "minimum", `${at}/minimum`, labelled("Minimum", which)));
      fields.push(constraintNumber(rule, argument, "maximum", `${at}/maximum`, labelled("Maximum", which)));
    }
    if (type === "string" || type === undefined) {
      const pattern = h("input", { type: "text", id: uniqueId("pattern"), value: typeof schema?.pattern === "string" ? schema.pattern : "", dataset: { pointer: `${at}/pattern`, focusKey: `${at}/pattern` }, autocomplete: "off", spellcheck: "false" });
      pattern.addEventListener("input", () => { model.setConstraint(rule, argument, "pattern", pattern.value === "" ? undefined : pattern.value); edited(); });
      fields.push(fieldFor(labelled("Pattern", which), pattern, "A regular expression the value must match (anchor it with ^ and $)."));
    }
    const allowed = h("textarea", { id: uniqueId("enum"), rows: 2, dataset: { pointer: `${at}/enum`, focusKey: `${at}/enum` } });
    allowed.value = model.enumText(schema?.enum);
    allowed.addEventListener("input", () => { model.setConstraint(rule, argument, "enum", model.enumValues(allowed.value, numeric)); edited(); });
    fields.push(fieldFor(labelled("Allowed values", which), allowed, "One per line; empty for any."));
    const required = h("input", { type: "checkbox", id: uniqueId("required"), checked: model.isRequired(rule, argument), dataset: { focusKey: `${at}/required` } });
    required.addEventListener("change", () => { model.setRequired(rule, argument, required.checked); edited(); });
    fields.push(h("div", { class: "field field-check" }, required, h("label", { for: required.id }, "Required", h("span", { class: "sr-only" }, which))));
    return h("fieldset", { class: "argument", dataset: { pointer: at } },
      h("legend", {}, h("code", {}, argument), type ? ` (${type})` : ""),
      h("div", { class: "section-errors" }),
      h("div", { class: "row" }, fields));
  }

  function constraintNumber(rule, argument, keyword, pointer, label) {
    const schema = model.argumentSchema(rule, argument);
    const input = h("input", { type: "text", inputmode: "decimal", id: uniqueId(keyword), value: schema?.[keyword] ?? "", dataset: { pointer, focusKey: pointer }, autocomplete: "off" });
    input.addEventListener("input", () => { model.setConstraint(rule, argument, keyword, model.numberOrText(input.value)); edited(); });
    return fieldFor(label, input);
  }

  function textField(target, name, pointer, label, hint = null, list = null) {
    const input = h("input", { type: "text", id: uniqueId(name), value: typeof target[name] === "string" ? target[name] : target[name] === undefined ? "" : JSON.stringify(target[name]), list, dataset: { pointer, focusKey: pointer }, autocomplete: "off" });
    input.addEventListener("input", () => { model.setText(target, name, input.value); edited(); });
    return fieldFor(label, input, hint);
  }

  function numberField(target, name, pointer, label) {
    const input = h("input", { type: "text", inputmode: "decimal", id: uniqueId(name), value: target[name] ?? "", dataset: { pointer, focusKey: pointer }, autocomplete: "off" });
    input.addEventListener("input", () => { model.setNumber(target, name, input.value); edited(); });
    return fieldFor(label, input);
  }

  function windowField(limit, pointer, label) {
    const listId = uniqueId("windows");
    const input = h("input", { type: "text", id: uniqueId("window"), value: limit.window ?? "", list: listId, dataset: { pointer, focusKey: pointer }, autocomplete: "off" });
    input.addEventListener("input", () => {
      const value = model.windowValue(input.value);
      if (value === undefined) delete limit.window; else limit.window = value;
      edited();
    });
    return fieldFor(label, h("span", { class: "window-input" }, input, h("datalist", { id: listId }, model.WINDOWS.map((w) => h("option", { value: w })))), "second, minute, hour, day, or whole seconds");
  }

  function previewSection() {
    return h("section", { class: "card builder-preview", "aria-labelledby": "preview-heading" },
      h("h2", { id: "preview-heading" }, "JSON preview"),
      h("p", { class: "muted" }, "Exactly the text Save writes to the file."),
      h("pre", { id: "policy-preview", tabindex: "0", "aria-labelledby": "preview-heading" }));
  }

  // ---- Editing, checking, saving ----

  function currentText() {
    return model.serialise(state.document);
  }

  function updatePreview() {
    const preview = body.querySelector("#policy-preview");
    if (preview) preview.textContent = currentText();
  }

  function edited() {
    updatePreview();
    state.checked = false;
    updateSaveButton();
    scheduleCheck(CHECK_DELAY_MS);
  }

  function scheduleCheck(delay) {
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(check, delay);
  }

  async function check() {
    const seq = ++state.checkSeq;
    const text = currentText();
    try {
      const result = await api("/api/policies/check", { method: "POST", body: text });
      if (seq !== state.checkSeq) return;
      state.diagnostics = result.diagnostics;
      state.checked = true;
    } catch (error) {
      if (seq !== state.checkSeq) return;
      state.diagnostics = [{ code: "", severity: "error", path: "", line: 0, column: 0, message: `the policy could not be checked: ${error.message}` }];
      state.checked = false;
    }
    showDiagnostics();
  }

  function errors() {
    return state.diagnostics.filter((d) => d.severity === "error");
  }

  function updateSaveButton() {
    const save = body.querySelector("#policy-save");
    if (save) save.disabled = state.saving || !state.checked || errors().length > 0;
  }

  /** Puts each diagnostic at its control (or the nearest enclosing one), and lists them all in the summary. */
  function showDiagnostics() {
    for (const old of body.querySelectorAll(".field-error, .section-error")) old.remove();
    for (const marked of body.querySelectorAll(".has-error")) marked.classList.remove("has-error");
    for (const invalid of body.querySelectorAll("[aria-invalid]")) {
      invalid.removeAttribute("aria-invalid");
      invalid.setAttribute("aria-describedby", (invalid.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => !id.startsWith("err-")).join(" "));
    }
    const hosts = new Map([...body.querySelectorAll("[data-pointer]")].map((e) => [e.dataset.pointer, e]));
    const { placed, unplaced } = model.placeDiagnostics(state.diagnostics, new Set(hosts.keys()));
    for (const [pointer, found] of placed) {
      const host = hosts.get(pointer);
      const id = uniqueId("err");
      const text = found.map(describe).join(" ");
      if (host.matches("input, select, textarea")) {
        const wrapper = host.closest(".field");
        wrapper.classList.add("has-error");
        wrapper.append(h("p", { class: "field-error", id }, text));
        host.setAttribute("aria-invalid", found.some((d) => d.severity === "error") ? "true" : "false");
        host.setAttribute("aria-describedby", `${host.getAttribute("aria-describedby") ?? ""} ${id}`.trim());
      } else {
        const slot = [...host.querySelectorAll(".section-errors")].find((s) => s.closest("[data-pointer]") === host) ?? host;
        slot.append(h("p", { class: "section-error field-error", id }, text));
      }
    }
    const summary = body.querySelector("#policy-summary");
    if (summary) {
      clear(summary);
      const errorCount = errors().length;
      const warningCount = state.diagnostics.length - errorCount;
      if (state.diagnostics.length > 0) {
        summary.append(
          h("p", { class: errorCount > 0 ? "error-banner" : "warning" }, `${errorCount} error${errorCount === 1 ? "" : "s"}, ${warningCount} warning${warningCount === 1 ? "" : "s"}${errorCount > 0 ? ": fix them to save." : "."}`),
          h("ul", { class: "diagnostics" }, state.diagnostics.map((d) => h("li", {},
            h("code", {}, d.path || "/"), " ", describe(d),
            unplaced.includes(d) ? null : h("button", { type: "button", class: "btn btn-quiet", on: { click: () => focusPointer(d.path) } }, "Show")))));
      }
    }
    updateSaveButton();
  }

  function focusPointer(path) {
    let pointer = path;
    const hosts = new Map([...body.querySelectorAll("[data-pointer]")].map((e) => [e.dataset.pointer, e]));
    while (!hosts.has(pointer) && pointer !== "") pointer = model.parentPointer(pointer);
    const host = hosts.get(pointer);
    if (!host) return;
    const details = host.closest("details");
    if (details) details.open = true;
    const target = host.matches("input, select, textarea") ? host : host.querySelector("input, select, textarea, button");
    (target ?? host).focus();
    host.scrollIntoView({ block: "center" });
  }

  async function save_() {
    if (state.saving) return;
    state.saving = true;
    updateSaveButton();
    const status = body.querySelector("#policy-status");
    clear(status);
    status.append(h("p", { class: "muted" }, "Saving…"));
    try {
      const result = await api(`/api/policies/${encodeURIComponent(state.name)}/document`, {
        method: "PUT",
        body: currentText(),
        headers: { "If-Match": `"${state.etag}"` },
      });
      state.etag = result.etag;
      clear(status);
      status.append(h("p", { class: "notice" }, `Saved to ${state.path}. The gateway reloaded it: revision ${result.revision.slice(0, 12)} is in force.`));
      announce("Policy saved and in force");
    } catch (error) {
      clear(status);
      status.append(saveFailure(error));
      if (error instanceof ApiError && error.status === 422 && Array.isArray(error.body?.diagnostics)) {
        state.diagnostics = error.body.diagnostics;
        showDiagnostics();
      }
    } finally {
      state.saving = false;
      updateSaveButton();
    }
  }

  function saveFailure(error) {
    const banner = h("div", { class: "error-banner", role: "alert" }, h("p", {}, `Not saved: ${error.message}`));
    if (error instanceof ApiError && error.status === 412) {
      banner.append(h("p", {}, "Someone changed the file since you opened it. ", h("a", { href: `#/policies/${encodeURIComponent(state.name)}?reopen=${Date.now()}` }, "Open the current version"), " (your edits here are lost)."));
    }
    if (error instanceof ApiError && error.status !== 422 && Array.isArray(error.body?.diagnostics) && error.body.diagnostics.length > 0) {
      banner.append(diagnosticList(error.body.diagnostics));
    }
    return banner;
  }

  function applyRecommendation() {
    if (!state.recommendation) return;
    model.applyRecommendation(state.document, state.recommendation);
    render();
    edited();
    announce("The recommendation was applied");
  }

  function startFromScratch() {
    state.document = model.emptyPolicy();
    state.stash = new Map();
    render();
    edited();
    announce("Started from scratch: deny by default, no rules");
  }

  return () => window.clearTimeout(state.timer);
}

/** Whether a condition's test suits an argument of the declared type (every test, when the type is unknown). */
function fits(test, type) {
  if (type === undefined || test.kind === undefined) return true;
  return test.kind === "number" ? type === "number" || type === "integer" : test.kind === type;
}

/** A new condition: the first declared argument and suitable test not used yet (a number "at most" first). */
function newCondition(conditions, declaredNames, typeOf) {
  const used = new Set(conditions.map((c) => `${c.argument}\u0000${c.keyword}`));
  const names = declaredNames.length > 0 ? [...declaredNames].sort((a, b) => rank(typeOf(a)) - rank(typeOf(b))) : [""];
  for (const argument of names) {
    for (const test of model.UNLESS_TESTS.filter((t) => fits(t, typeOf(argument)))) {
      if (!used.has(`${argument}\u0000${test.keyword}`)) {
        return { argument, keyword: test.keyword, value: model.unlessValue(test.keyword, "", false) };
      }
    }
  }
  return { argument: names[0], keyword: "maximum", value: "" };
}

function rank(type) {
  return type === "number" || type === "integer" ? 0 : 1;
}

function describe(diagnostic) {
  return `${diagnostic.severity === "warning" ? "Warning " : ""}${diagnostic.code ? `${diagnostic.code}: ` : ""}${diagnostic.message}`;
}

function diagnosticList(diagnostics) {
  return h("ul", { class: "diagnostics" }, (diagnostics ?? []).map((d) => h("li", {}, h("code", {}, `${d.line}:${d.column} ${d.path || "/"}`), " ", describe(d))));
}

function actionLabel(action) {
  return { allow: "Allow", deny: "Deny", approve: "Require approval" }[action] ?? action;
}

function labelled(text, which) {
  return h("span", {}, text, h("span", { class: "sr-only" }, which));
}

/** A labelled field (label may be a node, to carry a screen-reader-only suffix) with an optional hint. */
function fieldFor(label, control, hint = null) {
  const input = control.matches("input, select, textarea") ? control : control.querySelector("input, select, textarea");
  if (!input.id) input.id = uniqueId();
  const hintElement = hint ? h("small", { class: "muted", id: `${input.id}-hint` }, hint) : null;
  if (hintElement) input.setAttribute("aria-describedby", hintElement.id);
  return h("div", { class: "field" }, h("label", { for: input.id }, label), control, hintElement);
}

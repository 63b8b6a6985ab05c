// One audit record, every field of it (#/audit/ID): the arguments as the audit keeps them (secrets
// redacted), the rule that decided, and for a tool_changed record the definition change waiting for review.
import { api, ApiError } from "./api.js";
import { h, timeElement } from "./dom.js";

/** Renders record `id` into root; query is the list's filter, kept for the way back. */
export async function mountDetail(root, id, query) {
  const back = h("a", { href: `#/audit${query.toString() ? `?${query}` : ""}`, class: "btn" }, "Back to the audit log");
  root.append(h("p", {}, back));
  let record;
  try {
    record = await api(`/api/audit/${encodeURIComponent(id)}`);
  } catch (failure) {
    root.append(h("h1", {}, `Audit record ${id}`), h("p", { class: "error-banner", role: "alert" }, failure.message));
    return;
  }

  root.append(
    h("h1", {}, `Audit record ${record.id}`),
    h("p", { class: "audit-summary" }, decisionBadge(record.decision), " ", h("code", {}, record.code), " ", record.tool, " on ", record.server),
    h("dl", { class: "audit-fields card" }, fields(record)),
    h("h2", {}, "Arguments"),
    record.arguments === null
      ? h("p", { class: "muted" }, "Not recorded: the configuration keeps only their SHA-256 (audit.recordArguments).")
      : h("pre", { class: "audit-arguments", tabindex: "0", "aria-label": "Arguments, secrets redacted" }, JSON.stringify(record.arguments, null, 2)),
  );

  if (record.code === "tool_changed") {
    const section = h("section", { "aria-labelledby": "change-heading" }, h("h2", { id: "change-heading" }, "The definition change"));
    root.append(section);
    await renderChange(section, record);
  }
}

export function decisionBadge(decision) {
  return h("span", { class: `badge badge-decision-${decision === "hold" ? "pending" : decision}` }, decision);
}

function fields(record) {
  const rows = [
    ["Id", String(record.id)],
    ["Time", timeElement(record.time)],
    ["Decision", decisionBadge(record.decision)],
    ["Code", h("code", {}, record.code)],
    ["Message", record.message || "—"],
    ["Rule", record.rule ? h("code", { class: "audit-rule" }, record.rule) : "none: no rule was reached"],
    ["Grant", record.grant],
    ["Session", record.session],
    ["Server", record.server],
    ["Tool", record.tool],
    ["Mode", record.mode],
    ["Policy revision", h("code", {}, record.policyRevision)],
    ["Arguments SHA-256", h("code", { class: "audit-hash" }, record.argumentsSha256)],
    ["Approval", record.approvalId ? h("code", {}, record.approvalId) : "—"],
    ["Outcome", record.outcome ?? (record.decision === "allow" ? "not answered yet" : "not forwarded")],
    ["Deciding took", `${record.evaluationMs} ms`],
    ["Server took", record.upstreamMs === null ? "—" : `${record.upstreamMs} ms`],
  ];
  return rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]);
}

/** The change that made the gateway refuse the tool, as it stands now in the pins. */
async function renderChange(section, record) {
  let pins;
  try {
    pins = await api("/api/pins", { query: { server: record.server } });
  } catch (failure) {
    const reason = failure instanceof ApiError && failure.status === 404 ? "this gateway does not pin tools" : failure.message;
    section.append(h("p", { class: "muted" }, `The change cannot be shown: ${reason}.`));
    return;
  }
  const pin = pins.find((p) => p.tool === record.tool);
  if (!pin || !pin.changed) {
    section.append(h("p", { class: "muted" }, "No change is waiting for this tool now: it was accepted, or the server went back to the pinned definition."));
    return;
  }
  section.append(
    h("p", {}, "The server lists a definition that differs from the one approved. Review it and accept it on the ", h("a", { href: "#/servers" }, "Servers"), " page."),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("caption", { class: "sr-only" }, "What changed in the tool's definition"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Where"), h("th", { scope: "col" }, "Change"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
        h(
          "tbody",
          {},
          pin.changed.diff.map((d) =>
            h("tr", {}, h("td", {}, h("code", {}, d.path)), h("td", {}, d.kind), h("td", { class: "diff-before" }, d.before ?? "—"), h("td", { class: "diff-after" }, d.after ?? "—"))),
        ),
      ),
    ),
  );
}

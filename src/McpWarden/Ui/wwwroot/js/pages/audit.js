// The Audit page: the audit log newest first, filtered through the URL (#/audit?decision=deny&tool=x, so a
// filtered view can be bookmarked), paged backwards with `before`, refreshing its newest records by itself;
// the live counters beside it; and one record in full at #/audit/ID.
import { api } from "../api.js";
import { navigate } from "../app.js";
import { clear, field, h, timeElement, uniqueId } from "../dom.js";
import { mountCounters } from "../audit-counters.js";
import { decisionBadge, mountDetail } from "../audit-detail.js";
import { pollWhileVisible } from "../audit-poll.js";

const pageSize = 50;
const refreshMs = 3000;

const filters = [
  { name: "since", label: "Since", hint: "A time (2026-01-31T12:00:00Z) or how long ago (15m, 2h, 7d)" },
  { name: "until", label: "Until", hint: "Before this time; same forms" },
  { name: "decision", label: "Decision", choices: [["", "Any"], ["allow", "allow"], ["deny", "deny"], ["hold", "hold"]] },
  { name: "code", label: "Code", hint: "e.g. rate_limited" },
  { name: "grant", label: "Grant" },
  { name: "server", label: "Server" },
  { name: "tool", label: "Tool" },
];

export default {
  title: "Audit",
  mount(root, route) {
    if (route.params.length > 0) {
      mountDetail(root, route.params[0], route.query);
      return undefined;
    }
    return mountList(root, route.query);
  },
};

function mountList(root, query) {
  const applied = Object.fromEntries(filters.map((f) => [f.name, query.get(f.name) ?? ""]));
  const counters = h("section", { class: "card audit-counters", "aria-labelledby": "counters-heading" });
  const message = h("div");
  const status = h("p", { class: "muted", role: "status" });
  const body = h("tbody");
  const older = h("button", { type: "button", class: "btn", hidden: true }, "Show older records");
  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data audit-table" },
      h("caption", { class: "sr-only" }, "Audit records, newest first"),
      h("thead", {}, h("tr", {}, ["Record", "Time", "Decision", "Code", "Server", "Tool", "Grant"].map((name) => h("th", { scope: "col" }, name)))),
      body,
    ),
  );

  root.append(
    h("h1", {}, "Audit"),
    counters,
    h("section", { "aria-labelledby": "records-heading" }, h("h2", { id: "records-heading" }, "Records"), filterForm(applied), message, status, table, h("p", {}, older)),
  );

  const stopCounters = mountCounters(counters);
  const shown = new Map(); // id -> { record, row }
  let oldestId = null;

  const base = Object.fromEntries(Object.entries(applied).filter(([, value]) => value !== ""));

  function describe() {
    const active = Object.keys(base).length;
    const text = `${shown.size} record${shown.size === 1 ? "" : "s"} shown${active ? `, filtered by ${Object.keys(base).join(", ")}` : ""}.`;
    // Only a change is written: the status is a live region, and rewriting it every refresh would be read out.
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }

  /** Puts records from the newest page in place: new ones on top, changed ones (an outcome arrived) updated. */
  function mergeNewest(records) {
    const fresh = [];
    for (const record of records) {
      const known = shown.get(record.id);
      if (!known) {
        fresh.push(record);
      } else if (JSON.stringify(known.record) !== JSON.stringify(record)) {
        const row = recordRow(record, query);
        known.row.replaceWith(row);
        shown.set(record.id, { record, row });
      }
    }
    const newestShown = shown.size ? Math.max(...shown.keys()) : 0;
    const rows = fresh.filter((r) => r.id > newestShown).map((record) => {
      const row = recordRow(record, query);
      shown.set(record.id, { record, row });
      return row;
    });
    body.prepend(...rows);
  }

  function appendOlder(records) {
    for (const record of records) {
      if (!shown.has(record.id)) {
        const row = recordRow(record, query);
        shown.set(record.id, { record, row });
        body.append(row);
      }
    }
  }

  async function loadFirst() {
    const records = await api("/api/audit", { query: { ...base, limit: pageSize } });
    mergeNewest(records);
    if (oldestId === null && records.length > 0) {
      oldestId = records[records.length - 1].id;
      older.hidden = records.length < pageSize;
    }
    describe();
  }

  older.addEventListener("click", async () => {
    older.disabled = true;
    try {
      const records = await api("/api/audit", { query: { ...base, before: oldestId, limit: pageSize } });
      appendOlder(records);
      if (records.length > 0) {
        oldestId = records[records.length - 1].id;
      }
      older.hidden = records.length < pageSize;
      describe();
    } catch (failure) {
      showError(failure);
    } finally {
      older.disabled = false;
    }
  });

  function showError(failure) {
    clear(message).append(h("p", { class: "error-banner", role: "alert" }, failure.message));
  }

  const stopRecords = pollWhileVisible(async () => {
    try {
      await loadFirst();
      clear(message);
    } catch (failure) {
      showError(failure);
    }
  }, refreshMs);

  return () => {
    stopCounters();
    stopRecords();
  };
}

function filterForm(applied) {
  const controls = filters.map((f) => {
    const id = uniqueId(`audit-${f.name}`);
    const control = f.choices
      ? h("select", { id, name: f.name }, f.choices.map(([value, text]) => h("option", { value, selected: applied[f.name] === value }, text)))
      : h("input", { id, name: f.name, type: "text", value: applied[f.name], autocomplete: "off", spellcheck: "false" });
    return field(f.label, control, f.hint).field;
  });
  const form = h(
    "form",
    { class: "audit-filters toolbar", "aria-label": "Filter the audit records" },
    controls,
    h("div", { class: "audit-filter-buttons" }, h("button", { type: "submit", class: "btn btn-primary" }, "Apply filters"), h("button", { type: "button", class: "btn", id: "audit-clear" }, "Clear")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const query = {};
    for (const f of filters) {
      const value = String(data.get(f.name) ?? "").trim();
      if (value) {
        query[f.name] = value;
      }
    }
    navigate("audit", [], query);
  });
  form.querySelector("#audit-clear").addEventListener("click", () => navigate("audit"));
  return form;
}

function recordRow(record, query) {
  const suffix = query.toString() ? `?${query}` : "";
  return h(
    "tr",
    { dataset: { id: String(record.id) } },
    h("td", {}, h("a", { href: `#/audit/${record.id}${suffix}`, "aria-label": `Record ${record.id}: ${record.decision} ${record.tool}` }, `#${record.id}`)),
    h("td", {}, timeElement(record.time)),
    h("td", {}, decisionBadge(record.decision)),
    h("td", {}, h("code", {}, record.code)),
    h("td", {}, record.server),
    h("td", {}, record.tool),
    h("td", {}, record.grant),
  );
}

// The Servers page: every configured server and every tool it lists, with what the gateway makes of each
// (GET /api/inventory), filters kept in the route's query, and the review of a changed tool's definition.
import { api } from "../api.js";
import { navigate } from "../app.js";
import { announce, badge, clear, errorBanner, field, h, relativeTime, timeElement } from "../dom.js";
import { ruleSummary, visibleText } from "../ops-format.js";

const categories = ["read", "write", "execute", "destructive", "financial", "communication", "credentials"];
const risks = ["low", "medium", "high", "critical"];
const pinStates = ["unpinned", "pinned", "changed", "off"];
const filterNames = ["q", "server", "category", "risk", "pin", "hidden"];

export default {
  title: "Servers",
  mount(root, route) {
    const filters = Object.fromEntries(filterNames.map((name) => [name, route.query.get(name) ?? ""]));
    let inventory = null;
    let alive = true;

    const status = h("p", { class: "muted", role: "status" }, "Asking the servers…");
    const results = h("div", { class: "servers-results" });
    const banner = h("div");

    const search = h("input", { type: "search", value: filters.q, placeholder: "name or description", autocomplete: "off" });
    const serverSelect = h("select", {}, h("option", { value: "" }, "All servers"));
    const categorySelect = select(categories, filters.category, "All categories");
    const riskSelect = select(risks, filters.risk, "All risks");
    const pinSelect = select(pinStates, filters.pin, "All pin states");
    const hiddenBox = h("input", { type: "checkbox", id: "servers-only-hidden", checked: filters.hidden === "1" });
    const refresh = h("button", { type: "button", class: "btn" }, "Ask the servers again");

    const onFilter = () => {
      filters.q = search.value.trim();
      filters.server = serverSelect.value;
      filters.category = categorySelect.value;
      filters.risk = riskSelect.value;
      filters.pin = pinSelect.value;
      filters.hidden = hiddenBox.checked ? "1" : "";
      // The filters live in the address, so a filtered view can be bookmarked or shared; no history entry per keystroke.
      navigate("servers", [], Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== "")), { replace: true });
      render();
    };
    search.addEventListener("input", onFilter);
    for (const control of [serverSelect, categorySelect, riskSelect, pinSelect, hiddenBox]) {
      control.addEventListener("change", onFilter);
    }
    refresh.addEventListener("click", () => load(true));

    root.append(
      h("h1", {}, "Servers and tools"),
      h("div", { class: "toolbar", role: "search", "aria-label": "Filter tools" },
        field("Search tools", search).field,
        field("Server", serverSelect).field,
        field("Category", categorySelect).field,
        field("Risk", riskSelect).field,
        field("Pin state", pinSelect).field,
        h("div", { class: "field servers-check" }, h("label", { for: hiddenBox.id }, hiddenBox, " Only hidden tools")),
        refresh),
      status,
      banner,
      results);

    async function load(fresh = false) {
      refresh.disabled = true;
      status.textContent = fresh ? "Asking every server again…" : "Asking the servers…";
      try {
        const answer = await api("/api/inventory", { query: fresh ? { refresh: "true" } : undefined });
        if (!alive) return;
        inventory = answer;
        clear(banner);
        fillServerSelect();
        render();
      } catch (error) {
        if (!alive) return;
        clear(banner).append(errorBanner(error));
        status.textContent = "";
      } finally {
        refresh.disabled = false;
      }
    }

    function fillServerSelect() {
      clear(serverSelect).append(h("option", { value: "" }, "All servers"));
      for (const server of inventory.servers) {
        serverSelect.append(h("option", { value: server.server, selected: server.server === filters.server }, server.server));
      }
    }

    function matches(server, tool) {
      if (filters.category && tool.category !== filters.category) return false;
      if (filters.risk && tool.risk !== filters.risk) return false;
      if (filters.pin && tool.pin.state !== filters.pin) return false;
      if (filters.hidden === "1" && tool.visible) return false;
      if (filters.q) {
        const needle = filters.q.toLowerCase();
        const haystack = [tool.name, tool.title ?? "", tool.description ?? ""].join("\n").toLowerCase();
        if (!haystack.includes(needle)) return false;
      }
      return true;
    }

    function render() {
      if (!inventory) return;
      clear(results);
      let shown = 0;
      let total = 0;
      for (const server of inventory.servers) {
        if (filters.server && server.server !== filters.server) continue;
        const tools = server.tools.filter((tool) => matches(server, tool));
        total += server.tools.length;
        shown += tools.length;
        results.append(serverCard(server, tools));
      }
      status.textContent = `${shown} of ${total} tools shown`;
    }

    function serverCard(server, tools) {
      const heading = h("h2", {}, visibleText(server.server), " ",
        server.listed ? badge("state", "reachable", "reachable") : badge("state", "error", "not listed"));
      const facts = h("dl", { class: "servers-facts" },
        fact("Tools", String(server.tools.length)),
        fact("Mode", server.mode),
        fact("Default action", server.policy.default),
        fact("Policy", server.policy.source),
        fact("Pinning", server.pinning ? "on" : "off"),
        fact("Scan", server.scan),
        server.serverInfo ? fact("Server says", `${server.serverInfo.name ?? "?"} ${server.serverInfo.version ?? ""}`.trim()) : null,
        fact("Probed", [timeElement(server.probedAt), " (", relativeTime(server.probedAt), ")"]));
      const card = h("section", { class: "card", "aria-label": `Server ${server.server}` }, heading, facts);
      if (!server.listed) {
        card.append(h("p", { class: "error-banner" }, visibleText(server.error ?? "not listed")));
      }
      const notes = [...server.catalogFindings.map((f) => visibleText(f)), ...server.instructionFindings.map((f) => `instructions: ${f.kind} at ${f.path}: ${visibleText(f.message)}`)];
      if (notes.length > 0) {
        card.append(h("ul", { class: "warning servers-notes", "aria-label": `Notes on ${server.server}` }, notes.map((n) => h("li", {}, n))));
      }
      if (server.tools.length === 0) {
        return card;
      }
      if (tools.length === 0) {
        card.append(h("p", { class: "muted" }, "No tool of this server matches the filters."));
        return card;
      }
      const body = h("tbody");
      for (const tool of tools) {
        body.append(...toolRows(server, tool));
      }
      card.append(h("div", { class: "table-wrap" }, h("table", { class: "data servers-tools" },
        h("caption", { class: "sr-only" }, `Tools of ${server.server}`),
        h("thead", {}, h("tr", {}, ["Tool", "Category", "Risk", "Rule", "Agent", "Pin", "Findings"].map((t) => h("th", { scope: "col" }, t)))),
        body)));
      return card;
    }

    function toolRows(server, tool) {
      const findings = tool.findings.length === 0
        ? h("span", { class: "muted" }, "none")
        : h("ul", { class: "servers-findings" }, tool.findings.map((f) =>
          h("li", {}, h("strong", {}, f.kind), ` at ${f.path}: ${visibleText(f.message)}`, f.excerpt ? h("div", { class: "mono" }, visibleText(f.excerpt)) : null)));
      const agent = tool.visible
        ? h("span", {}, "sees it")
        : h("span", {}, h("strong", {}, "hidden"), tool.hiddenBy.length ? ` (${tool.hiddenBy.join(", ")})` : "");
      const review = h("td", { colspan: "7", class: "servers-review" });
      const reviewRow = h("tr", { hidden: true, class: "servers-review-row" }, review);
      const pinCell = h("td", { "data-label": "Pin" }, badge("pin", tool.pin.state, tool.pin.state));
      if (tool.pin.state === "changed") {
        const button = h("button", { type: "button", class: "btn btn-small", "aria-expanded": "false", "aria-label": `Review change of ${server.server}/${tool.name}` }, "Review change");
        button.addEventListener("click", () => {
          const open = reviewRow.hidden;
          reviewRow.hidden = !open;
          button.setAttribute("aria-expanded", String(open));
          if (open) {
            showReview(server, tool, review);
          }
        });
        pinCell.append(" ", button);
      }
      const row = h("tr", {},
        h("td", { "data-label": "Tool" },
          h("div", { class: "servers-name mono" }, visibleText(tool.name)),
          tool.title ? h("div", {}, visibleText(tool.title)) : null,
          tool.description ? h("div", { class: "servers-description" }, visibleText(tool.description)) : null,
          h("div", { class: "muted servers-rationale" }, visibleText(tool.rationale))),
        h("td", { "data-label": "Category" }, badge("cat", tool.category)),
        h("td", { "data-label": "Risk" }, badge("risk", tool.risk)),
        h("td", { "data-label": "Rule" }, badge("decision", tool.rule.action), " ", ruleSummary(tool.rule),
          h("div", { class: "muted mono" }, tool.rule.path)),
        h("td", { "data-label": "Agent" }, agent),
        pinCell,
        h("td", { "data-label": "Findings" }, findings));
      return [row, reviewRow];
    }

    // The review of a changed tool: the diff of the pinned definition and the one waiting for a person, and an
    // accept that names the fingerprint of exactly what was shown (the API refuses with 409 if it changed since).
    async function showReview(server, tool, cell) {
      clear(cell).append(h("p", { class: "muted" }, "Loading the change…"));
      const pin = tool.pin;
      let diff = pin.diff;
      let fingerprint = pin.waitingFingerprint;
      let record = null;
      const notes = [];
      if (fingerprint) {
        // What the store holds is what an accept pins: show its diff and both definitions in full.
        try {
          const pins = await api("/api/pins", { query: { server: server.server } });
          record = pins.find((p) => p.tool === tool.name) ?? null;
        } catch (error) {
          clear(cell).append(errorBanner(error));
          return;
        }
        if (!record || !record.changed) {
          fingerprint = null;
        } else {
          diff = record.changed.diff;
          fingerprint = record.changed.fingerprint;
          if (fingerprint !== pin.fingerprint) {
            notes.push("The server lists yet another definition now than the change waiting here; accepting this one leaves the newer one to review.");
          }
        }
      }
      clear(cell);
      cell.append(
        h("h3", {}, `Change of ${server.server}/${visibleText(tool.name)}`),
        h("p", { class: "mono servers-fingerprints" }, `pinned ${short(pin.pinnedFingerprint)} → ${fingerprint ? "waiting " + short(fingerprint) : "listed " + short(pin.fingerprint)}`),
        diffTable(diff),
        record && record.changed ? h("details", { class: "servers-full" },
          h("summary", {}, "Both definitions in full"),
          h("h4", {}, "Pinned"),
          h("pre", { "aria-label": "The pinned definition", tabindex: "0" }, visibleText(JSON.stringify(record.definition, null, 2))),
          h("h4", {}, "Waiting"),
          h("pre", { "aria-label": "The definition waiting", tabindex: "0" }, visibleText(JSON.stringify(record.changed.definition, null, 2)))) : null,
        notes.map((n) => h("p", { class: "warning" }, n)));
      const outcome = h("div", { role: "status" });
      if (!fingerprint) {
        cell.append(h("p", { class: "warning" },
          "The gateway has not recorded this change yet: it does the first time it lists this server's tools for a client. It can be accepted then; until then the tool stays hidden."));
        return;
      }
      const accept = h("button", { type: "button", class: "btn btn-primary" }, "Accept this definition");
      accept.addEventListener("click", async () => {
        accept.disabled = true;
        clear(outcome);
        try {
          await api(`/api/pins/${encodeURIComponent(server.server)}/${encodeURIComponent(tool.name)}/accept`, { method: "POST", body: { fingerprint } });
          announce(`Accepted the new definition of ${tool.name}`);
          await load(false);
        } catch (error) {
          accept.disabled = false;
          const explanation = error.status === 409
            ? "Not accepted: the definition waiting is no longer the one shown here (the server changed it again, or someone decided already). Ask the servers again and review the change anew."
            : "Not accepted.";
          outcome.append(h("p", { class: "error-banner", role: "alert" }, explanation, " ", h("span", { class: "muted" }, `(${error.message})`)));
        }
      });
      cell.append(h("div", { class: "row" }, accept), outcome);
    }

    load(false);
    return () => { alive = false; };
  },
};

function select(values, current, allLabel) {
  return h("select", {}, h("option", { value: "" }, allLabel), values.map((v) => h("option", { value: v, selected: v === current }, v)));
}

function fact(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

function short(fingerprint) {
  return fingerprint ? fingerprint.slice(0, 12) : "none";
}

function diffTable(changes) {
  if (!changes || changes.length === 0) {
    return h("p", { class: "muted" }, "No difference is shown.");
  }
  return h("div", { class: "table-wrap" }, h("table", { class: "data servers-diff", "aria-label": "Changes from the pinned definition" },
    h("thead", {}, h("tr", {}, ["Where", "Change", "Pinned", "Now"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, changes.map((c) => h("tr", {},
      h("td", { class: "mono", "data-label": "Where" }, c.path),
      h("td", { "data-label": "Change" }, c.kind),
      h("td", { class: "mono servers-before", "data-label": "Pinned" }, c.before ?? "—"),
      h("td", { class: "mono servers-after", "data-label": "Now" }, c.after ?? "—"))))));
}

// The live counters panel of the Audit page: every budget in use, closest to its max first, as used/max with
// a <meter>. It asks GET /api/counters every 2 s while the page is visible.
import { api } from "./api.js";
import { clear, h, relativeTime } from "./dom.js";
import { pollWhileVisible } from "./audit-poll.js";

const intervalMs = 2000;

/** Builds the panel into container; returns the function that stops its polling. */
export function mountCounters(container) {
  const status = h("p", { class: "muted", id: "counters-status" }, "Reading the counters…");
  const list = h("ul", { class: "counter-list", "aria-labelledby": "counters-heading" });
  const error = h("div");
  container.append(
    h("h2", { id: "counters-heading" }, "Live counters"),
    h("p", { class: "muted" }, "Every budget with units in its window now, closest to its max first. Updates every 2 seconds."),
    error,
    status,
    list,
  );

  return pollWhileVisible(async () => {
    try {
      const budgets = await api("/api/counters");
      clear(error);
      render(list, status, budgets);
    } catch (failure) {
      clear(error).append(h("p", { class: "error-banner", role: "alert" }, `The counters could not be read: ${failure.message}`));
    }
  }, intervalMs);
}

function render(list, status, budgets) {
  budgets.sort(closestToMaxFirst);
  clear(list);
  const text = budgets.length === 0 ? "No budget has units in its window now." : `${budgets.length} budget${budgets.length === 1 ? "" : "s"} in use.`;
  if (status.textContent !== text) {
    status.textContent = text;
  }
  for (const budget of budgets) {
    list.append(item(budget));
  }
}

/** Budgets the policy still has, fullest first; then the ones it no longer has; ties by name. */
function closestToMaxFirst(a, b) {
  const fa = a.fraction ?? -1;
  const fb = b.fraction ?? -1;
  if (fa !== fb) {
    return fb - fa;
  }
  return `${a.server}/${a.counter}/${a.owner}/${a.partition}`.localeCompare(`${b.server}/${b.counter}/${b.owner}/${b.partition}`);
}

function item(budget) {
  const name = budget.counter ?? budget.key;
  const figures = budget.inPolicy ? `${number(budget.used)} / ${number(budget.max)}` : `${number(budget.used)} used`;
  const label = budget.inPolicy
    ? `${name}: ${number(budget.used)} of ${number(budget.max)} used`
    : `${name}: ${number(budget.used)} used, not in the policy in force`;
  const level = budget.fraction === null ? "none" : budget.fraction >= 1 ? "full" : budget.fraction >= 0.8 ? "high" : "ok";
  return h(
    "li",
    { class: `counter counter-${level}`, dataset: { key: budget.key } },
    h(
      "div",
      { class: "counter-head" },
      h("strong", { class: "counter-name" }, name),
      " ",
      h("span", { class: "muted" }, whose(budget)),
      budget.inPolicy ? null : h("span", { class: "badge badge-decision-pending" }, "not in the policy"),
    ),
    h(
      "div",
      { class: "counter-bar" },
      budget.inPolicy
        ? h("meter", { min: "0", max: String(budget.max), value: String(Math.min(budget.used, budget.max)), low: String(budget.max * 0.8), high: String(budget.max * 0.999), optimum: "0", "aria-label": label })
        : null,
      h("span", { class: "counter-figures", "aria-hidden": budget.inPolicy ? "true" : null }, figures),
    ),
    h(
      "div",
      { class: "counter-detail muted" },
      `per ${windowText(budget)} · next unit frees ${relativeTime(budget.nextFreeAt)}`,
      budget.tools.length > 0 ? ` · ${budget.tools.join(", ")}` : "",
    ),
  );
}

/** Which budget of the counter this is: the server, whose it is, and the partition. */
function whose(budget) {
  const parts = [budget.server ?? "unknown server"];
  if (budget.scope === "global") {
    parts.push("everyone");
  } else if (budget.scope) {
    parts.push(`${budget.scope} ${budget.owner}`);
  }
  if (budget.partition !== null) {
    parts.push(budget.partitionKind === "sha256" ? `value with SHA-256 ${budget.partition.slice(0, 12)}… (too long to keep)` : `by ${budget.partition}`);
  }
  return parts.join(" · ");
}

function windowText(budget) {
  return typeof budget.window === "string" ? budget.window : `${number(budget.windowSeconds)} s`;
}

function number(value) {
  return typeof value === "number" ? value.toLocaleString("en-GB", { maximumFractionDigits: 4 }) : String(value);
}

// The Approvals page: the calls held for a person (GET /api/approvals), polled so the list follows calls as
// they arrive and leave. Cards are added and removed one by one, never redrawn, so a reason being typed
// survives every refresh. Calls that leave the queue while the page is open go to "Recently decided".
import { api } from "../api.js";
import { announce, clear, errorBanner, h, relativeTime, timeElement, uniqueId } from "../dom.js";
import { visibleText } from "../ops-format.js";

const pollMilliseconds = 1500;
const recentKept = 10;

export default {
  title: "Approvals",
  mount(root) {
    const cards = new Map(); // id -> { element, approval, expires }
    const done = new Set(); // ids decided or gone: a poll answered before they left must not bring them back
    const list = h("ul", { class: "approvals-list", "aria-label": "Pending calls" });
    const empty = h("p", { class: "muted" }, "No call is waiting for a decision.");
    const summary = h("p", { role: "status", class: "muted" }, "Loading…");
    const problem = h("div");
    const recentList = h("ul", { class: "approvals-recent", "aria-label": "Recently decided calls" });
    const recentEmpty = h("p", { class: "muted" }, "Nothing decided since this page was opened.");
    const navCount = document.getElementById("approvals-count");
    let timer = null;
    let alive = true;
    let first = true;

    root.append(
      h("h1", {}, "Approvals"),
      summary,
      problem,
      empty,
      list,
      h("h2", {}, "Recently decided"),
      recentEmpty,
      recentList);

    async function poll() {
      try {
        const pending = await api("/api/approvals", { query: { state: "pending" } });
        if (!alive) return;
        clear(problem);
        const seen = new Set();
        for (const approval of pending) {
          seen.add(approval.id);
          if (!cards.has(approval.id) && !done.has(approval.id)) {
            add(approval);
            if (!first) announce(`A call to ${approval.server}/${approval.tool} is waiting for a decision`);
          }
        }
        for (const id of [...cards.keys()]) {
          if (!seen.has(id)) {
            leave(id);
          }
        }
        first = false;
      } catch (error) {
        if (!alive) return;
        // The list stays as it was; the next poll tries again.
        clear(problem).append(errorBanner(new Error(`Could not refresh the list: ${error.message}`)));
      }
      tick();
      if (alive) timer = window.setTimeout(poll, pollMilliseconds);
    }

    /** The counts and every card's time left, without touching anything a person may be typing in. */
    function tick() {
      const count = cards.size;
      summary.textContent = count === 0 ? "" : `${count} call${count === 1 ? "" : "s"} waiting`;
      empty.hidden = count > 0;
      if (navCount) {
        navCount.textContent = String(count);
        navCount.hidden = count === 0;
      }
      for (const card of cards.values()) {
        card.expires.textContent = relativeTime(card.approval.expiresAt);
      }
    }

    function add(approval) {
      const reasonId = uniqueId("reason");
      const reason = h("input", { type: "text", id: reasonId, maxlength: "1000", autocomplete: "off" });
      const approve = h("button", { type: "button", class: "btn btn-primary" }, "Approve");
      const deny = h("button", { type: "button", class: "btn btn-danger" }, "Deny");
      const outcome = h("div", { role: "status" });
      const expires = h("span");
      const name = `${approval.server}/${approval.tool}`;
      approve.setAttribute("aria-label", `Approve the call to ${name}`);
      deny.setAttribute("aria-label", `Deny the call to ${name}`);
      const element = h("li", { class: "card approvals-card", dataset: { id: approval.id }, "aria-label": `Call to ${name}` },
        h("h2", { class: "approvals-title" }, h("span", { class: "mono" }, visibleText(name))),
        h("dl", { class: "approvals-facts" },
          fact("Grant", approval.grant),
          fact("Rule", approval.rule),
          approval.message ? fact("Held because", visibleText(approval.message)) : null,
          fact("Arrived", timeElement(approval.createdAt)),
          fact("Expires", [timeElement(approval.expiresAt), " (", expires, ")"]),
          fact("Approval id", h("span", { class: "mono" }, approval.id))),
        h("h3", {}, "Arguments"),
        h("pre", { class: "approvals-arguments", tabindex: "0", "aria-label": `Arguments of the call to ${name}` }, visibleText(JSON.stringify(approval.arguments, null, 2))),
        h("div", { class: "field" }, h("label", { for: reasonId }, `Reason for ${name} (optional)`), reason),
        h("div", { class: "row approvals-actions" }, approve, deny),
        outcome);

      const decide = async (verdict) => {
        approve.disabled = true;
        deny.disabled = true;
        clear(outcome);
        const text = reason.value.trim();
        try {
          const decided = await api(`/api/approvals/${encodeURIComponent(approval.id)}/${verdict}`, { method: "POST", body: text ? { reason: text } : {} });
          announce(`${verdict === "approve" ? "Approved" : "Denied"} the call to ${name}`);
          remove(approval.id);
          remember(decided);
        } catch (error) {
          approve.disabled = false;
          deny.disabled = false;
          const explanation = error.status === 409 ? "It can no longer be decided: " : "Not decided: ";
          outcome.append(h("p", { class: "error-banner", role: "alert" }, explanation + error.message));
        }
      };
      approve.addEventListener("click", () => decide("approve"));
      deny.addEventListener("click", () => decide("deny"));
      cards.set(approval.id, { element, approval, expires });
      list.append(element);
    }

    function remove(id) {
      const card = cards.get(id);
      if (!card) return;
      const hadFocus = card.element.contains(document.activeElement);
      card.element.remove();
      cards.delete(id);
      done.add(id);
      if (hadFocus) {
        // Keep the keyboard in the list: on the next call's first control, else on the page.
        const next = list.querySelector("input, button");
        (next ?? root).focus();
      }
      tick();
    }

    /** A call that left the queue without a decision here (another person, the CLI, a timeout, the client gone). */
    async function leave(id) {
      const card = cards.get(id);
      remove(id);
      try {
        remember(await api(`/api/approvals/${encodeURIComponent(id)}`));
      } catch {
        remember({ ...card.approval, state: "gone" });
      }
    }

    function remember(approval) {
      if (!alive || !approval) return;
      recentEmpty.hidden = true;
      const by = approval.decidedBy ? ` by ${approval.decidedBy}` : "";
      const why = approval.reason ? ` — ${approval.reason}` : "";
      recentList.prepend(h("li", { class: "approvals-recent-item" },
        h("span", { class: `badge badge-decision-${stateClass(approval.state)}` }, approval.state), " ",
        h("span", { class: "mono" }, visibleText(`${approval.server}/${approval.tool}`)),
        ` (grant ${approval.grant})${by}${why}`,
        approval.decidedAt ? [" · ", timeElement(approval.decidedAt)] : null));
      while (recentList.children.length > recentKept) {
        recentList.lastElementChild.remove();
      }
    }

    poll();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  },
};

function fact(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

function stateClass(state) {
  return state === "approved" || state === "used" ? "allow" : state === "pending" ? "pending" : "deny";
}

// Small helpers to build the DOM without HTML strings: text always goes in as text, never as markup.

/**
 * Creates an element. props: attributes; "class"; "dataset" (object); "on" (event name -> handler);
 * "text" (text content); boolean true sets an empty attribute, false/null/undefined leaves it out.
 * children: nodes, strings (as text), arrays, or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) {
        element.addEventListener(event, handler);
      }
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "text") {
      element.textContent = String(value);
    } else if (name === "value" && "value" in element) {
      element.value = String(value);
    } else if (name === "checked" || name === "selected" || name === "disabled") {
      element[name] = Boolean(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(parent, child);
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

/** Removes every child of an element. */
export function clear(element) {
  while (element.firstChild) {
    element.removeChild(element.firstChild);
  }
  return element;
}

/** A timestamp as the person's local date and time, to the second; the ISO text stays in the title. */
export function formatTime(iso) {
  if (!iso) {
    return "";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** A <time> element showing formatTime, with the exact instant machine-readable. */
export function timeElement(iso) {
  return h("time", { datetime: iso ?? "", title: iso ?? "" }, formatTime(iso));
}

/** "in 4 min", "12 s ago": how far an instant is from now. */
export function relativeTime(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 2) {
    return "just now";
  }
  const text = magnitude < 60 ? `${magnitude} s` : magnitude < 3600 ? `${Math.round(magnitude / 60)} min` : `${Math.round(magnitude / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** A badge: kind is e.g. "risk" or "cat", value its class suffix and text. */
export function badge(kind, value, label = value) {
  return h("span", { class: `badge badge-${kind}-${String(value).toLowerCase()}` }, label);
}

/** A red banner with the error's message, for a page or a panel. */
export function errorBanner(error) {
  return h("p", { class: "error-banner", role: "alert" }, error?.message ?? String(error));
}

/** Tells screen readers something happened (a live region in the shell). */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (region) {
    region.textContent = "";
    window.setTimeout(() => { region.textContent = message; }, 50);
  }
}

let nextId = 0;

/** An id no other element of the page has. */
export function uniqueId(prefix = "f") {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form field: returns { field, control } where field is the .field wrapper. */
export function field(labelText, control, hint) {
  if (!control.id) {
    control.id = uniqueId();
  }
  const label = h("label", { for: control.id }, labelText);
  const hintElement = hint ? h("small", { class: "muted", id: `${control.id}-hint` }, hint) : null;
  if (hintElement) {
    control.setAttribute("aria-describedby", hintElement.id);
  }
  return { field: h("div", { class: "field" }, label, control, hintElement), control };
}

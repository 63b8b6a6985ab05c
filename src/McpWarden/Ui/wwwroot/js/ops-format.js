// Formatting shared by the Servers and Approvals pages.

// Control, zero-width, bidi, tag and other invisible characters: a server's text could hide words from the
// person reading it with them, so they are shown as \u{XXXX}, as the CLI's table shows them.
const invisible = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|[\u{E0000}-\u{E007F}]|[\u{E0100}-\u{E01EF}]/gu;

/** A server's (untrusted) text with every invisible character made visible. */
export function visibleText(text) {
  return String(text ?? "").replace(invisible, (c) => `\\u{${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}}`);
}

/** A window in seconds as people say it: "min", "hour", "day", else "30 s". */
export function windowText(seconds) {
  switch (seconds) {
    case 1: return "second";
    case 60: return "min";
    case 3600: return "hour";
    case 86400: return "day";
    case 604800: return "week";
    default: return `${seconds} s`;
  }
}

/** A limit in one phrase: "10/min per grant", "50000 amount/day per grant". */
export function limitText(limit) {
  const what = limit.cost ? `${limit.max} of ${limit.cost}` : `${limit.max}`;
  const by = limit.by ? ` by ${limit.by}` : "";
  return `${what}/${windowText(limit.windowSeconds)} per ${limit.scope}${by}`;
}

/** An inventory rule in one line: the action's details and its limits. */
export function ruleSummary(rule) {
  const parts = [];
  if (rule.default) parts.push("(default)");
  if (rule.action === "deny" && rule.reason) parts.push(`— ${rule.reason}`);
  if (rule.action === "approve" && rule.approvalTimeoutSeconds) parts.push(`within ${rule.approvalTimeoutSeconds} s`);
  if (rule.action === "approve" && rule.approvalUnless) parts.push("unless its arguments meet approval.unless");
  if (rule.limits.length > 0) parts.push(rule.limits.map(limitText).join("; "));
  if (rule.arguments) parts.push("arguments checked");
  return parts.join(" ");
}

// Tabulates the security suite from xUnit.net v2+ XML result files: tests tried, passed, failed and
// skipped by area (the `Security` trait) and, for the hostile-input corpus, by corpus category and front
// (read from the rows' names).
// Usage: node scripts/security-report.mjs results1.xml [results2.xml ...]
import { readFileSync } from "node:fs";

const decode = (text) =>
  text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const tests = [];
for (const file of process.argv.slice(2)) {
  const xml = readFileSync(file, "utf8");
  for (const [, attributes, body] of xml.matchAll(/<test ([^>]*?)(?:\/>|>([\s\S]*?)<\/test>)/g)) {
    const attribute = (name) => decode(attributes.match(new RegExp(`(?:^|\\s)${name}="([^"]*)"`))?.[1] ?? "");
    const traits = {};
    for (const [, name, value] of (body ?? "").matchAll(/<trait name="([^"]*)" value="([^"]*)"/g)) {
      traits[decode(name)] = decode(value);
    }
    tests.push({ name: attribute("name"), result: attribute("result"), traits });
  }
}

const security = tests.filter((t) => t.traits.Security);
if (security.length === 0) {
  console.error("security-report: no test carries the Security trait in the given results");
  process.exit(1);
}

const tally = (rows, key) => {
  const groups = new Map();
  for (const row of rows) {
    const group = groups.get(key(row)) ?? { tried: 0, Pass: 0, Fail: 0, Skip: 0, NotRun: 0 };
    group.tried++;
    group[row.result] = (group[row.result] ?? 0) + 1;
    groups.set(key(row), group);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
};

const table = (title, groups) => {
  const total = { tried: 0, Pass: 0, Fail: 0, Skip: 0 };
  console.log(`| ${title} | tried | passed | failed | skipped |`);
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, g] of groups) {
    console.log(`| ${name} | ${g.tried} | ${g.Pass} | ${g.Fail} | ${g.Skip} |`);
    for (const k of Object.keys(total)) total[k] += g[k];
  }
  console.log(`| **total** | **${total.tried}** | **${total.Pass}** | **${total.Fail}** | **${total.Skip}** |`);
  console.log();
  return total;
};

const overall = table("area", tally(security, (t) => t.traits.Security));
// A corpus row is named FRONT/CATEGORY/CASE (see HostileInputCorpus.Rows).
const corpus = security
  .map((t) => ({ ...t, row: t.name.match(/^(http|stdio)\/([^/]+)\//) }))
  .filter((t) => t.traits.Security === "hostile-input" && t.row);
if (corpus.length > 0) {
  table("corpus category (each case sent to each front it applies to)", tally(corpus, (t) => t.row[2]));
  table("front", tally(corpus, (t) => t.row[1]));
}

for (const failure of security.filter((t) => t.result === "Fail")) {
  console.log(`FAILED: ${failure.name}`);
}
process.exit(overall.Fail > 0 ? 1 : 0);

// The search field of a built site in the system's Chromium; prints what happened as JSON.
//
//   node tests/audit/search.mjs ROOT_URL PAGE QUERY...
//
// ROOT_URL is where the site is (http://127.0.0.1:8123/sub/path/ or a file:// folder URL),
// PAGE the page to search from. For each QUERY, from a freshly loaded page: "/" focuses the
// field, the query is typed; then the results shown (kind, text, link), the time from the
// first keystroke to the first results, what the page loaded for them, where ArrowDown and
// Enter lead, and whether Escape closes the list. Also: every console message and failed
// load, every request made to another host, and, with AXE set, axe-core's violations with
// results open (light and dark; 320, 390, 1280 and 1600 px). With SCREENSHOTS set,
// screenshots of the results open go in that folder.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [site, page_, ...queries] = process.argv.slice(2);
const start = new URL(page_, site).href;
const origin = new URL(site).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const console_ = [];
const elsewhere = [];
let requested = []; // by the page of the query being tried

let listening = true; // axe's own loads (of the stylesheets, from disk) are not the site's
async function fresh(scheme = "light", width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 },
                                             colorScheme: scheme });
  const page = await context.newPage();
  const note = (line) => { if (listening) console_.push(line); };
  page.on("console", (m) => note(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => note(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => note(`failed: ${r.url()}`));
  page.on("request", (r) => {
    requested.push(r.url());
    const url = new URL(r.url());
    if (url.protocol !== "file:" && url.protocol !== "data:" && url.origin !== origin) {
      elsewhere.push(r.url());
    }
  });
  await page.goto(start);
  return page;
}

async function type(page, query) {
  await page.keyboard.press("/");
  const focused = await page.evaluate(() => document.activeElement.id);
  const began = await page.evaluate(() => performance.now());
  // Typed key by key; with PASTE set, in one input event, as a paste or dictation gives it
  // (what the benchmark times: each key typed otherwise asks again before the last answer).
  if (process.env.PASTE) await page.keyboard.insertText(query);
  else await page.keyboard.type(query);
  await page.waitForSelector("#search-results:not([hidden]) [role=option]", { timeout: 10000 });
  const took = await page.evaluate((t) => performance.now() - t, began);
  return { focused, took };
}

async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.map((v) => ({ id: v.id, help: v.help,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

const report = { queries: [], axe: [] };
for (const query of queries) {
  requested = [];
  const page = await fresh();
  const { focused, took } = await type(page, query);
  // The snippets come once each briefing's paragraphs are in.
  await page.waitForTimeout(300);
  const loaded = [...requested];
  const shown = await page.$$eval("#search-results [role=option]", (links) => links.map((a) => ({
    text: a.textContent.replace(/\s+/g, " ").trim(), href: a.href,
    marks: [...a.querySelectorAll("mark")].map((m) => m.textContent),
  })));
  const status = await page.textContent("#search-status");
  const expanded = await page.$eval("#search-results", (ul) => !ul.hidden);
  await page.keyboard.press("ArrowDown");
  const selected = await page.evaluate(() => {
    const id = document.getElementById("search-field").getAttribute("aria-activedescendant");
    return id && document.getElementById(id).getAttribute("aria-selected");
  });
  await page.keyboard.press("Escape");
  const closed = await page.$eval("#search-results", (ul) => ul.hidden);
  const collapsed = await page.evaluate(() =>
    document.getElementById("search-field").getAttribute("aria-activedescendant"));
  // Open again by typing, then ArrowDown and Enter open the first result.
  await page.keyboard.type(" ");
  await page.waitForSelector("#search-results:not([hidden]) [role=option]");
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL((url) => url.href !== start), page.keyboard.press("Enter")]);
  report.queries.push({ query, focused, took, loaded, shown, status, expanded, selected, closed,
                        collapsed, opened: page.url() });
  await page.context().close();
}

listening = false;
if (queries.length && process.env.AXE) {
  for (const [scheme, width] of [["light", 1280], ["dark", 1280], ["light", 390],
                                 ["dark", 390], ["light", 320], ["light", 1600]]) {
    const page = await fresh(scheme, width);
    await type(page, queries[0]);
    await page.waitForTimeout(300);
    report.axe.push({ scheme, width, violations: await axe(page) });
    if (process.env.SCREENSHOTS) {
      await page.screenshot({ path: `${process.env.SCREENSHOTS}/search-${scheme}-${width}.png` });
    }
    await page.context().close();
  }
}
report.console = console_;
report.elsewhere = elsewhere;
await browser.close();
console.log(JSON.stringify(report, null, 1));

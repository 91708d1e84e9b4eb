// Audit pages of a built site in the system's Chromium and print the findings as JSON.
//
//   node tests/audit/audit.mjs ROOT_URL PAGE...
//
// ROOT_URL is where the site is served (http://127.0.0.1:8123/) or a file:// folder URL.
// For each page: axe-core (WCAG 2.0/2.1 A and AA) in light and dark mode at 1280 and 390 px
// wide; a keyboard walk (Tab through the page: is every interactive element reached, and is
// the focus visible on each?); and, on pages with glossary terms, whether the hint shows on
// keyboard focus and is tied to the link for screen readers.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [site, ...pages] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const VARIANTS = [["light", 1280], ["dark", 1280], ["light", 390], ["dark", 390]];
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const browser = await chromium.launch({
  executablePath,
  // Nothing may reach the network: the machine has none, and the site must need none.
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate((tags) =>
    window.axe.run(document, { runOnly: { type: "tag", values: tags } }), TAGS);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}

async function keyboard(page) {
  // Everything a keyboard user should be able to reach, as the page is laid out now.
  const expected = await page.evaluate(() => {
    const selector = "a[href], button:not([disabled]), summary, input, select, textarea, " +
      "[tabindex]:not([tabindex='-1'])";
    return [...document.querySelectorAll(selector)]
      .filter((el) => el.getClientRects().length > 0 && !el.closest("[hidden]"))
      // The contents of a closed <details> are reached by opening it: its summary counts.
      .filter((el) => el.tagName === "SUMMARY" || !el.closest("details:not([open])"))
      .map((el, i) => { el.dataset.auditId = String(i); return String(i); });
  });
  // Each focus noted by the page itself as it happens (one round trip a key, not two).
  await page.evaluate(() => {
    window.auditFocus = [];
    document.addEventListener("focusin", (event) => {
      const el = event.target;
      const style = getComputedStyle(el);
      const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      const shadowed = style.boxShadow && style.boxShadow !== "none";
      window.auditFocus.push({ id: el.dataset.auditId ?? null, visible: outlined || shadowed,
                               label: el.outerHTML.slice(0, 80) });
    });
  });
  for (let step = 0; step < expected.length + 5; step++) await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => window.auditFocus);
  const reached = new Set(focused.map((info) => info.id).filter((id) => id !== null));
  const invisible = focused.filter((info) => !info.visible).map((info) => info.label);
  const unreachable = expected.filter((id) => !reached.has(id));
  return { focusable: expected.length, reached: reached.size, unreachable, invisible };
}

async function hints(page) {
  const count = await page.locator("a.term").count();
  if (count === 0) return null;
  const problems = [];
  for (let i = 0; i < count; i++) {
    const term = page.locator("a.term").nth(i);
    await term.focus();
    const found = await term.evaluate((el) => {
      const tip = el.parentElement.dataset.tip;
      const shown = getComputedStyle(el.parentElement, "::after").content;
      const described = document.getElementById(el.getAttribute("aria-describedby"));
      return { tip, shown, described: described ? described.textContent.trim() : null };
    });
    if (found.shown !== JSON.stringify(found.tip)) problems.push(`hint not shown: ${found.tip}`);
    if (found.described !== found.tip) problems.push(`not described for screen readers: ${found.tip}`);
    await page.keyboard.press("Escape");  // WCAG 1.4.13: the hint can be dismissed
    const shownAfterEscape = await term.evaluate((el) =>
      getComputedStyle(el.parentElement, "::after").display);
    if (shownAfterEscape !== "none") problems.push(`Escape does not hide: ${found.tip}`);
  }
  return { terms: count, problems };
}

// Two pages at a time: the machine's cores, not the browser, are the limit.
async function audit(relative) {
  const url = new URL(relative, site).href;
  const entry = { axe: {}, keyboard: null, hints: null, overflow: null };
  for (const [scheme, width] of VARIANTS) {
    const context = await browser.newContext({
      colorScheme: scheme, reducedMotion: "reduce", viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    entry.axe[`${scheme} ${width}`] = await axe(page);
    if (scheme === "light" && width === 390) {
      // WCAG 1.4.10 (reflow): at 320 CSS pixels nothing may need scrolling sideways.
      await page.setViewportSize({ width: 320, height: 900 });
      entry.overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth);
    }
    if (scheme === "light" && width === 1280) {
      entry.keyboard = await keyboard(page);
      await page.goto(url);
      entry.hints = await hints(page);
    }
    await context.close();
  }
  report[relative] = entry;
}

const report = {};
const queue = [...pages];
await Promise.all([0, 1].map(async () => {
  while (queue.length) await audit(queue.shift());
}));
const ordered = Object.fromEntries(pages.map((page) => [page, report[page]]));
await browser.close();
process.stdout.write(JSON.stringify(ordered, null, 2) + "\n");

// The HTML reports in a real browser (issue #28), run by scripts/browser-checks.sh:
//
//   node scripts/browser-checks.mjs NODE_MODULES PDF_DIR BUILD...
//
// For every HTML page of each BUILD folder, in headless Chromium with no network:
// - no two text boxes of a chart intersect (getBBox() of every <text>, carried to the
//   page by the element's screen transform);
// - axe-core finds no serious or critical violation.
// For the reports of the first BUILD, the page is printed to A4 PDF in PDF_DIR and read
// back page by page with pdftotext: page one holds the at-a-glance table and the sentences
// under it, every chart stands on the page of its caption, and no page is blank.
// Any failure is printed and the exit code is 1.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, pdfDir, ...builds] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), "noop.js"));
const puppeteer = require("puppeteer-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const failures = [];
const fail = (file, what) => failures.push(`${file}: ${what}`);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9"],
});
try {
  for (const [k, build] of builds.entries()) {
    const pages = readdirSync(build).filter((f) => f.endsWith(".html")).sort();
    if (pages.length === 0) fail(build, "no HTML page to check");
    for (const name of pages) {
      const file = join(build, name);
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      // Nothing may come from elsewhere: a request off the file is refused and fails.
      await page.setRequestInterception(true);
      page.on("request", (r) => {
        if (r.url().startsWith("file:") || r.url().startsWith("data:")) r.continue();
        else {
          fail(file, `asked for ${r.url()}`);
          r.abort();
        }
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      for (const o of await overlaps(page)) fail(file, `chart ${o.chart}: "${o.a}" overlaps "${o.b}"`);
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} element(s), e.g. ${v.nodes[0]?.target})`);
      });
      for (const v of violations) fail(file, `accessibility: ${v}`);
      if (k === 0 && name !== "index.html" && name !== "catalog.html") await printed(page, file, name);
      await page.close();
    }
  }
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(failures.join("\n"));
  console.error(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log(`checked ${builds.length} build(s) in Chromium: no chart text overlaps, no serious accessibility violation, print layout as designed`);

// Every pair of intersecting text boxes of each chart, in page pixels.
async function overlaps(page) {
  return page.evaluate(() => {
    const found = [];
    document.querySelectorAll("figure.chart > svg").forEach((svg, n) => {
      const boxes = [];
      for (const t of svg.querySelectorAll("text")) {
        const text = t.textContent.trim();
        if (!text) continue;
        const b = t.getBBox();
        const m = t.getScreenCTM();
        const corners = [
          [b.x, b.y],
          [b.x + b.width, b.y],
          [b.x, b.y + b.height],
          [b.x + b.width, b.y + b.height],
        ].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
        const xs = corners.map((c) => c[0]);
        const ys = corners.map((c) => c[1]);
        boxes.push({ text, x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) });
      }
      const title = svg.parentElement.querySelector("figcaption strong")?.textContent ?? `#${n + 1}`;
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const apart = a.x1 <= b.x0 + 0.5 || b.x1 <= a.x0 + 0.5 || a.y1 <= b.y0 + 0.5 || b.y1 <= a.y0 + 0.5;
          if (!apart) found.push({ chart: title, a: a.text, b: b.text });
        }
    });
    return found;
  });
}

// The page printed to A4 as a browser prints it, and read back page by page.
async function printed(page, file, name) {
  const figures = await page.evaluate(() =>
    [...document.querySelectorAll("figure.chart")].map((f) => ({
      caption: f.querySelector("figcaption strong")?.textContent ?? "",
      texts: [...f.querySelectorAll(":scope > svg text")].map((t) => t.textContent.trim()).filter((t) => t.length > 2),
    })),
  );
  const pdf = join(pdfDir, name.replace(/\.html$/, ".pdf"));
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
  const count = Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? 0);
  const squash = (s) => s.replace(/\s+/g, " ");
  const raw = [];
  for (let i = 1; i <= count; i++)
    raw.push(execFileSync("pdftotext", ["-f", `${i}`, "-l", `${i}`, "-layout", pdf, "-"], { encoding: "utf8" }));
  const pages = raw.map(squash);
  if (count === 0) return fail(file, "printed no page");
  if (!/At a glance/.test(pages[0]) || !/Improved, with evidence/.test(pages[0]))
    fail(file, `page one does not hold the whole at-a-glance table and its sentences: ${pages[0].slice(0, 300)}`);
  pages.forEach((text, i) => {
    if (!new RegExp(`page ${i + 1} of ${count}`).test(text)) fail(file, `page ${i + 1} has no page number in its footer`);
    if (!/as of \d{4}-\d{2}-\d{2}/.test(text)) fail(file, `page ${i + 1} has no as-of day in its footer`);
    const footer = new RegExp(`page ${i + 1} of ${count}|[^\\n]{0,200}· as of \\d{4}-\\d{2}-\\d{2}`, "g");
    if (raw[i].replace(footer, "").trim().length < 20)
      fail(file, `page ${i + 1} is blank`);
  });
  for (const f of figures) {
    const on = pages.map((p, i) => (p.includes(squash(f.caption)) ? i : -1)).filter((i) => i >= 0);
    if (on.length === 0) {
      fail(file, `the caption "${f.caption}" is on no printed page`);
      continue;
    }
    const missing = f.texts.filter((t) => !on.some((i) => pages[i].includes(squash(t))));
    if (missing.length) fail(file, `the chart "${f.caption}" is not on its caption's page (missing ${missing.slice(0, 3).join(", ")})`);
  }
  console.log(`${name}: ${count} A4 page(s), ${figures.length} chart(s)`);
}

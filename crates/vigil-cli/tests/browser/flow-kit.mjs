// What the flow's browser scripts share: the setup from the test (VIGIL_FLOW_SETUP, JSON),
// a shop's sign-up page on another origin embedding Persona's official SDK (npm
// `persona`, unmodified) with its host pointed at vigil, Debian's Chromium driven by
// playwright-core, and the checks made on every page (axe-core: no serious or critical
// violation; a screenshot to look at).

import http from "node:http";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const setup = JSON.parse(process.env.VIGIL_FLOW_SETUP);
const shots = setup.screenshots;
mkdirSync(shots, { recursive: true });
const axePath = require.resolve("axe-core/axe.min.js");
const sdk = readFileSync(require.resolve("persona/dist/persona.js"));
export const checked = [];
export const summary = { ok: false };

export function fail(message) {
  throw new Error(message);
}

// The shop's sign-up page: the SDK from its npm package, options from the query string,
// every callback recorded in window.heard.
const shopPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop sign-up</title></head>
<body><main><h1>Open your account</h1><p>Verify your identity to continue.</p></main>
<script src="/persona.js"></script>
<script>
  window.heard = [];
  const options = JSON.parse(new URLSearchParams(location.search).get("options"));
  const client = new Persona.Client(Object.assign(options, {
    onLoad: () => heard.push({ name: "load" }),
    onReady: () => { heard.push({ name: "ready" }); client.open(); },
    onComplete: (done) => heard.push(Object.assign({ name: "complete" }, done)),
    onCancel: (left) => heard.push(Object.assign({ name: "cancel" }, left)),
    onError: (error) => heard.push({ name: "error", error }),
    onEvent: (name, metadata) => heard.push({ name: "event:" + name, metadata }),
  }));
</script></body></html>`;

const shop = http.createServer((request, response) => {
  if (request.url.startsWith("/persona.js")) {
    response.writeHead(200, { "content-type": "text/javascript" });
    response.end(sdk);
  } else {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(shopPage);
  }
});
await new Promise((resolve) => shop.listen(0, "127.0.0.1", resolve));
const shopBase = `http://127.0.0.1:${shop.address().port}`;

export function shopUrl(options) {
  return `${shopBase}/?options=${encodeURIComponent(JSON.stringify(Object.assign({ host: setup.host }, options)))}`;
}

export async function heard(page, name, timeout = 15000) {
  try {
    await page.waitForFunction((n) => window.heard.some((e) => e.name === n), name, { timeout });
  } catch {
    fail(`the page never heard "${name}"; it heard ${JSON.stringify(await page.evaluate(() => window.heard))}`);
  }
  return page.evaluate((n) => window.heard.find((e) => e.name === n), name);
}

// The flow's frame inside the shop's page, once it shows `text`.
export async function flowFrame(page, text) {
  for (let i = 0; i < 300; i++) {
    const frame = page.frames().find((f) => f.url().includes("/widget"));
    if (frame) {
      try {
        await frame.getByText(text, { exact: false }).first().waitFor({ timeout: 200 });
        // Act on the page only once it has loaded whole (its script included).
        await frame.waitForLoadState("load");
        return frame;
      } catch {}
    }
    await page.waitForTimeout(100);
  }
  const frame = page.frames().find((f) => f.url().includes("/widget"));
  fail(`the flow never showed "${text}"; it shows:\n${frame ? (await frame.innerText("body")).slice(0, 1500) : "(no frame)"}`);
}

// Press the flow's button `name` until the flow shows `text` (a click can land while the
// SDK's overlay is still sliding in, and go nowhere); the flow's frame then.
export async function pressUntil(page, frame, name, text) {
  for (let i = 0; i < 3; i++) {
    await frame.getByRole("button", { name }).click().catch(() => {});
    const found = page.frames().find((f) => f.url().includes("/widget"));
    try {
      await found.getByText(text, { exact: false }).first().waitFor({ timeout: 5000 });
      return flowFrame(page, text);
    } catch {}
  }
  return flowFrame(page, text);
}

// Tick a checkbox, and make sure it is ticked (the SDK's overlay may still be sliding in).
export async function tick(box) {
  for (let i = 0; i < 5; i++) {
    await box.check().catch(() => {});
    if (await box.isChecked()) return;
  }
  fail("the checkbox could not be ticked");
}

export async function expectText(where, text) {
  try {
    await where.getByText(text, { exact: false }).first().waitFor({ timeout: 10000 });
  } catch {
    fail(`expected "${text}"; the page says:\n${(await where.innerText("body")).slice(0, 1500)}`);
  }
}

// axe-core on a page or frame as it is, and a screenshot of `page`.
export async function audit(frame, page, name) {
  await frame.addScriptTag({ path: axePath });
  const result = await frame.evaluate(async () => await window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length > 0) {
    fail(`${name} has accessibility violations:\n` +
      bad.map((v) => `- ${v.id} (${v.impact}): ${v.help}; ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`).join("\n"));
  }
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  checked.push(name);
}

// Chromium as the probe starts it, with `extra` flags.
export async function launch(extra = []) {
  return chromium.launch({
    executablePath: setup.chromium,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", ...extra],
  });
}

// Run the script's cases; on failure, screenshots of every open page. The last line
// printed is the JSON summary; any failure exits non-zero.
export async function run(browser, cases) {
  try {
    await cases();
    summary.ok = true;
    summary.checked = checked;
  } catch (error) {
    summary.error = String(error.stack || error);
    let n = 0;
    for (const context of browser.contexts()) {
      for (const open of context.pages()) {
        await open.screenshot({ path: `${shots}/failure-${++n}.png`, fullPage: true }).catch(() => {});
      }
    }
  } finally {
    await browser.close();
    shop.close();
  }
  console.log(JSON.stringify(summary));
  process.exit(summary.ok ? 0 : 1);
}

// The review console in a real browser (Debian's Chromium, driven by playwright-core; no
// browser download). Run by tests/api/console.rs, which sets up the server, the people and
// the cases, passes them in VIGIL_CONSOLE_SETUP (JSON), and checks the API afterwards.
//
// A reviewer accepts her invitation, signs in, takes the next unassigned case, reads why
// it matched, declines it (confirming), dismisses the false hit of another case, comments,
// and uses the keyboard; filters, counts and batch actions in the inbox; a viewer sees no
// way to decide and is refused when she tries; four eyes: a decline waits for the admin.
// Every page is checked with axe-core (no serious or critical violation) and saved as a
// screenshot. The last line printed is a JSON summary; any failure exits non-zero.

import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const setup = JSON.parse(process.env.VIGIL_CONSOLE_SETUP);
const shots = setup.screenshots;
mkdirSync(shots, { recursive: true });
const axePath = require.resolve("axe-core/axe.min.js");
const checked = [];

// What an authenticator app shows for a base32 secret (RFC 6238: HMAC-SHA1, 30 s, 6 digits).
function totp(secret, stepsAhead = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const key = [];
  for (const c of secret) {
    value = ((value << 5) | alphabet.indexOf(c)) & 0xfff;
    bits += 5;
    if (bits >= 8) { key.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + stepsAhead));
  const h = createHmac("sha1", Buffer.from(key)).update(counter).digest();
  const o = h[19] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, "0");
}

function fail(message) {
  throw new Error(message);
}

async function expectText(page, text) {
  try {
    await page.getByText(text, { exact: false }).first().waitFor({ timeout: 10000 });
  } catch {
    fail(`expected "${text}" on ${page.url()}; the page says:\n${(await page.innerText("body")).slice(0, 2000)}`);
  }
}

// axe-core on the page as it is: no serious or critical violation, and a screenshot.
async function audit(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length > 0) {
    fail(`${name} (${page.url()}) has accessibility violations:\n` +
      bad.map((v) => `- ${v.id} (${v.impact}): ${v.help}; ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`).join("\n"));
  }
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  checked.push(name);
}

const browser = await chromium.launch({
  executablePath: setup.chromium,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
// axe is injected as a script: the console's CSP (scripts from itself only) would refuse it.
const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const base = setup.base;

try {
  // The first admin (made with `vigil users create`) chooses a password, signs in, and
  // invites the reviewer from the Users page; the link is shown once.
  await page.goto(setup.admin.invitation);
  await page.getByLabel("Password", { exact: true }).fill(setup.password);
  await page.getByLabel("The same password again").fill(setup.password);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email address").fill(setup.admin.email);
  await page.getByLabel("Password").fill(setup.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/sandbox\/cases/);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Email address").fill(setup.reviewer.email);
  await page.getByLabel("Role", { exact: true }).selectOption("reviewer");
  await page.getByRole("button", { name: "Invite" }).click();
  await expectText(page, "Send this link to");
  const reviewerInvitation = (await page.locator("#invitation-link").innerText()).trim();
  if (!reviewerInvitation.includes("/invitations/vigil_invite_")) fail(`no invitation link: ${reviewerInvitation}`);
  await audit(page, "users");
  // The audit log names her sign-in and the invitation she just made.
  await page.getByRole("link", { name: "Audit log" }).click();
  await expectText(page, "POST /api/v1/users");
  await expectText(page, "sign in");
  await expectText(page, setup.admin.email);
  await audit(page, "audit-log");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login/);

  // The reviewer's invitation: choose a password, then sign in.
  await page.goto(reviewerInvitation);
  await audit(page, "invitation");
  await page.getByLabel("Your name").fill("Rita Reviewer");
  await page.getByLabel("Password", { exact: true }).fill(setup.password);
  await page.getByLabel("The same password again").fill(setup.password);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(/\/login/);
  // A wrong password first: the page says so, and keeps the email.
  await page.getByLabel("Email address").fill(setup.reviewer.email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expectText(page, "Email address or password is wrong");
  await audit(page, "sign-in-refused");
  await page.getByLabel("Password").fill(setup.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/sandbox\/cases/);
  await expectText(page, "SANDBOX");
  await expectText(page, "Rita Reviewer");
  await expectText(page, setup.caseA.name);
  await audit(page, "inbox");

  // A case opened while she looks appears without a reload.
  await page.evaluate(() => { window.notReloaded = true; });
  const api = async (method, path, body) => {
    const answer = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${setup.key}`, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    return answer.json();
  };
  const ivan = await api("POST", "/accounts", { data: { attributes: { "name-first": "Ivan", "name-last": "Petrov", "reference-id": "ivan-2" } } });
  let fresh = null;
  for (let i = 0; i < 100 && fresh === null; i++) {
    const listed = await api("GET", `/cases?filter%5Baccount-id%5D=${ivan.data.id}`);
    if (listed.data.length > 0) { fresh = listed.data[0].id; } else { await new Promise((r) => setTimeout(r, 100)); }
  }
  if (fresh === null) fail("the rule opened no case for the new account");
  await page.getByText(fresh).waitFor({ timeout: 15000 });
  if (!(await page.evaluate(() => window.notReloaded === true))) fail("the inbox reloaded instead of updating");

  // The keyboard: ? lists the shortcuts; j selects the first case.
  await page.keyboard.press("?");
  await page.getByRole("dialog").waitFor();
  await audit(page, "shortcuts");
  await page.getByRole("button", { name: "Close" }).click();
  await page.keyboard.press("j");
  const selected = await page.locator("#inbox tbody tr.selected").count();
  if (selected !== 1) fail(`j selected ${selected} rows`);

  // The next unassigned case is the one waiting longest: case A, now assigned to her.
  await page.getByRole("button", { name: "Take the next unassigned case" }).click();
  await page.waitForURL(new RegExp(`/sandbox/cases/${setup.caseA.id}$`));
  await expectText(page, setup.reviewer.email);
  await expectText(page, "Watchlist match");
  await expectText(page, "Known fraudsters");
  await expectText(page, "score");
  await page.getByText("Why it matched").first().click();
  await audit(page, "case");
  await page.keyboard.press("c");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "message") fail(`c focused ${focused}, not the comment box`);
  await page.keyboard.type("Same name and birth year as the listed fraudster.");
  await page.getByRole("button", { name: "Comment" }).click();
  await expectText(page, "Same name and birth year as the listed fraudster.");

  // Decide: Declined, confirmed.
  await page.getByLabel("Decision").selectOption("Declined");
  await page.getByRole("button", { name: "Decide…" }).click();
  await expectText(page, "Yes, Declined");
  await audit(page, "confirm-decision");
  await page.getByRole("button", { name: "Yes, Declined" }).click();
  await page.waitForURL(new RegExp(`/sandbox/cases/${setup.caseA.id}$`));
  await expectText(page, "case resolved");
  if (await page.getByRole("button", { name: "Decide…" }).count() !== 0) fail("a decided case still offers a decision");

  // The account behind it: tag it, then find it again by name.
  await page.getByRole("link", { name: "Joe Imposter" }).first().click();
  await page.waitForURL(/\/sandbox\/accounts\/act_/);
  await page.getByLabel("Add a tag").fill("fraud-confirmed");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expectText(page, "fraud-confirmed");
  await expectText(page, "Declined");
  if (await page.getByRole("button", { name: "Redact" }).count() !== 0) fail("a reviewer is offered redaction");
  await audit(page, "account");
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  await page.getByLabel("Find an account").fill("Joe Imposter");
  await page.getByRole("button", { name: "Find" }).click();
  await expectText(page, "fraud-confirmed");
  await audit(page, "accounts");

  // Case B's hit is a different person: dismiss it.
  await page.goto(`${base}/sandbox/cases/${setup.caseB.id}`);
  // Two hits: the spelling variant first, alone, with its own reason.
  await page.getByLabel("Why Maria Gonzalez is not this person").fill("Different spelling and birth year");
  await page.locator("form.dismiss-one", { hasText: "Why Maria Gonzalez" }).getByRole("button", { name: "Dismiss this hit" }).click();
  await expectText(page, "dismissed");
  if (await page.getByRole("button", { name: "Dismiss this hit" }).count() !== 1) fail("one hit should still be open");
  await page.getByLabel("Reason these hits are false").fill("Different birth year and country");
  await page.getByRole("button", { name: "Dismiss all hits" }).click();
  await expectText(page, "dismissed");
  await audit(page, "case-dismissed");

  // Batch: tick two waiting cases and take both (a refresh in between keeps the ticks).
  await page.goto(`${base}/sandbox/cases?view=unassigned`);
  await page.locator(`input[type=checkbox][value="${setup.caseC.id}"]`).check();
  await page.locator(`input[type=checkbox][value="${fresh}"]`).check();
  await page.waitForTimeout(6000);
  await page.locator("#batch").getByRole("button", { name: "Assign to me" }).click();
  await page.waitForURL(/view=mine/);
  await expectText(page, "2 cases assigned to you.");
  await expectText(page, setup.caseC.id);
  await expectText(page, fresh);
  await audit(page, "inbox-mine");

  // Filters, counts and batch move and resolve: two cases tagged "batch", one due soon.
  const queue = await api("POST", "/case-queues", { data: { attributes: { name: "Escalations" } } });
  const templates = await api("GET", "/case-templates");
  const batch = [];
  for (const seconds of [3 * 86400, 600]) {
    const opened = await api("POST", "/cases", {
      data: { attributes: { "case-template-id": templates.data[0].id } },
      meta: { "sla-expires-in-seconds": seconds },
    });
    await api("POST", `/cases/${opened.data.id}/add-tag`, { meta: { "tag-name": "batch" } });
    batch.push(opened.data.id);
  }
  await page.goto(`${base}/sandbox/cases?view=open`);
  await page.getByText("Filter and sort").click();
  await page.getByLabel("Tag").fill("batch");
  await page.getByLabel("Order").selectOption("sla");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/tag=batch/);
  const order = await page.locator("#inbox tbody tr input[type=checkbox]").evaluateAll((boxes) => boxes.map((b) => b.value));
  if (JSON.stringify(order) !== JSON.stringify([batch[1], batch[0]])) fail(`SLA order should put the sooner first: ${order}`);
  const openTab = await page.getByRole("link", { name: /All open/ }).innerText();
  if (!/\b2\b/.test(openTab)) fail(`the All open tab should count the 2 filtered cases: ${openTab}`);
  await page.getByLabel("SLA due").selectOption("day");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/due=day/);
  if (await page.locator("#inbox tbody tr").count() !== 1) fail("due within a day should leave one case");
  await audit(page, "inbox-filtered");
  await page.getByRole("link", { name: "Clear" }).click();
  await page.goto(`${base}/sandbox/cases?view=open&tag=batch`);
  for (const id of batch) await page.locator(`input[type=checkbox][value="${id}"]`).check();
  await page.getByLabel("Queue").selectOption(queue.data.id);
  await page.getByRole("button", { name: "Move" }).click();
  await expectText(page, "2 cases moved.");
  await page.goto(`${base}/sandbox/cases?view=open&tag=batch`);
  for (const id of batch) await page.locator(`input[type=checkbox][value="${id}"]`).check();
  await page.getByLabel("Resolution").selectOption("Approved");
  await page.getByRole("button", { name: "Resolve…" }).click();
  await expectText(page, "Resolve 2 cases as Approved?");
  await audit(page, "batch-confirm");
  await page.getByRole("button", { name: "Yes, resolve as Approved" }).click();
  await expectText(page, "2 cases resolved.");
  for (const id of batch) {
    const after = await api("GET", `/cases/${id}`);
    if (after.data.attributes.status !== "Approved") fail(`${id} is ${after.data.attributes.status}, not Approved`);
    const inQueue = after.data.relationships["case-queue"].data;
    if (!inQueue || inQueue.id !== queue.data.id) fail(`${id} was not moved to the queue`);
    if (after.data.attributes["resolver-id"] === null) fail(`${id} has no resolver`);
  }

  // A phone-sized screen: the reviewer's pages fit it (no sideways scrolling) and pass
  // the same accessibility check.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, path] of [
    ["inbox-phone", "/sandbox/cases?view=open"],
    ["case-phone", `/sandbox/cases/${setup.caseA.id}`],
    ["accounts-phone", "/sandbox/accounts?q=Joe+Imposter"],
    ["lists-phone", "/sandbox/lists"],
    ["events-phone", "/sandbox/events"],
    ["two-factor-phone", "/sandbox/me/two-factor"],
  ]) {
    await page.goto(`${base}${path}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (wide > 1) fail(`${path} is ${wide}px wider than a phone's screen`);
    await audit(page, name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // Production is another world, and says so.
  await page.getByRole("link", { name: "Switch to production" }).click();
  await expectText(page, "PRODUCTION");
  await expectText(page, "No cases here.");
  await audit(page, "inbox-production");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login/);
  await audit(page, "sign-in");

  // A viewer reads a case but has no way to decide, and is refused if she forges one.
  const viewerContext = await browser.newContext({ bypassCSP: true });
  const viewer = await viewerContext.newPage();
  await viewer.goto(setup.viewer.invitation);
  await viewer.getByLabel("Password", { exact: true }).fill(setup.password);
  await viewer.getByLabel("The same password again").fill(setup.password);
  await viewer.getByRole("button", { name: "Set password" }).click();
  await viewer.waitForURL(/\/login/);
  await viewer.getByLabel("Email address").fill(setup.viewer.email);
  await viewer.getByLabel("Password").fill(setup.password);
  await viewer.getByRole("button", { name: "Sign in" }).click();
  await viewer.goto(`${base}/sandbox/cases/${setup.caseC.id}`);
  await expectText(viewer, "a reviewer decides");
  // The documents: the ID photo in the viewer (zoom, rotate), the statement as a PDF.
  await expectText(viewer, "government id");
  const photo = viewer.getByRole("img", { name: "government id: front.png" });
  await photo.waitFor();
  if (!(await photo.evaluate((img) => img.complete && img.naturalWidth === 1))) fail("the ID photo did not load through the console");
  await viewer.getByRole("button", { name: "Zoom in on front.png" }).click();
  await viewer.getByRole("button", { name: "Rotate front.png" }).click();
  const transform = await photo.evaluate((img) => img.style.transform);
  if (transform !== "scale(1.25) rotate(90deg)") fail(`zoom and rotate gave "${transform}"`);
  const pdf = await viewer.locator("iframe.pdf").getAttribute("src");
  const fetched = await viewer.evaluate(async (src) => {
    const answer = await fetch(src);
    return { status: answer.status, type: answer.headers.get("content-type"), frame: answer.headers.get("x-frame-options") };
  }, pdf);
  if (fetched.status !== 200 || fetched.type !== "application/pdf" || fetched.frame !== "SAMEORIGIN") {
    fail(`the statement came back as ${JSON.stringify(fetched)}`);
  }
  if (await viewer.getByRole("button", { name: "Decide…" }).count() !== 0) fail("a viewer is offered a decision");
  const forged = await viewer.evaluate(async (caseId) => {
    const csrf = document.querySelector("input[name=csrf]").value;
    const body = new URLSearchParams({ csrf, status: "Approved", confirmed: "yes" });
    const answer = await fetch(`/sandbox/cases/${caseId}/decide`, { method: "POST", body });
    return { status: answer.status, text: await answer.text() };
  }, setup.caseC.id);
  if (forged.status !== 403 || !forged.text.includes("permission")) {
    fail(`a viewer's forged decision answered ${forged.status}: ${forged.text.slice(0, 300)}`);
  }
  await audit(viewer, "case-viewer");
  await viewerContext.close();

  // Four eyes: the admin makes declines need a second reviewer; the reviewer's decline
  // then waits, and the admin approves it.
  const signIn = async (email) => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const tab = await context.newPage();
    await tab.goto(`${base}/login`);
    await tab.getByLabel("Email address").fill(email);
    await tab.getByLabel("Password").fill(setup.password);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.waitForURL(/\/cases/);
    return { context, tab };
  };
  const admin = await signIn(setup.admin.email);
  await admin.tab.getByRole("link", { name: "Settings" }).click();
  await admin.tab.getByRole("link", { name: "Case templates" }).click();
  await admin.tab.locator("section.card").first().getByLabel("Declined").check();
  await admin.tab.locator("section.card").first().getByRole("button", { name: /^Save/ }).click();
  await expectText(admin.tab, "Saved.");
  await audit(admin.tab, "templates");
  const held = await api("POST", "/cases", { data: { attributes: { "case-template-id": templates.data[0].id } } });
  const rita = await signIn(setup.reviewer.email);
  await rita.tab.goto(`${base}/sandbox/cases/${held.data.id}`);
  await rita.tab.getByLabel("Decision").selectOption("Declined");
  await rita.tab.getByRole("button", { name: "Decide…" }).click();
  await expectText(rita.tab, "second reviewer");
  await rita.tab.getByRole("button", { name: "Yes, Declined" }).click();
  await expectText(rita.tab, "was proposed by Rita Reviewer");
  await expectText(rita.tab, "Another reviewer must approve it.");
  if (await rita.tab.getByRole("button", { name: /^Approve/ }).count() !== 0) fail("the proposer is offered her own approval");
  await audit(rita.tab, "case-proposed");
  await rita.tab.evaluate(() => { window.notReloaded = true; });
  await admin.tab.goto(`${base}/sandbox/cases/${held.data.id}`);
  await admin.tab.getByRole("button", { name: "Approve: Declined…" }).click();
  await admin.tab.getByRole("button", { name: "Yes, Declined" }).click();
  await expectText(admin.tab, "case resolved");
  const decided = await api("GET", `/cases/${held.data.id}`);
  if (decided.data.attributes.status !== "Declined") fail(`the approved decline left the case ${decided.data.attributes.status}`);
  // The reviewer still looking at the case is told it changed, without a reload.
  await rita.tab.getByText("This case has changed since you opened it").waitFor({ timeout: 15000 });
  if (!(await rita.tab.evaluate(() => window.notReloaded === true))) fail("the case page reloaded instead of saying so");
  await rita.context.close();

  // The admin's account work: run an action, merge a duplicate, redact (typed confirmation).
  const [twin, other] = setup.twins;
  await admin.tab.goto(`${base}/sandbox/accounts/${twin}`);
  await expectText(admin.tab, "Possible duplicates");
  await expectText(admin.tab, "Related accounts");
  await admin.tab.getByRole("link", { name: "Twin Holdings" }).waitFor();
  await admin.tab.getByLabel("Account action").selectOption({ label: "Suspend (set-status)" });
  await admin.tab.getByLabel("Status (set-status)").selectOption("suspended");
  // Exact: a name is matched as a substring, and an account id in a merge button's
  // label may hold "run".
  await admin.tab.getByRole("button", { name: "Run", exact: true }).click();
  await admin.tab.waitForURL(new RegExp(`/accounts/${twin}$`));
  await expectText(admin.tab, "suspended");
  await admin.tab.getByRole("button", { name: `Merge Danna Twin (${other}) into this account` }).click();
  await expectText(admin.tab, "Merge Danna Twin into Dana Twin?");
  await audit(admin.tab, "consolidate-confirm");
  await admin.tab.getByRole("button", { name: "Yes, merge" }).click();
  await admin.tab.waitForURL(new RegExp(`/accounts/${twin}$`));
  await admin.tab.getByLabel(`Type ${twin} to confirm`).fill("act_wrong");
  await admin.tab.getByRole("button", { name: "Redact" }).click();
  await expectText(admin.tab, "Nothing was redacted");
  await audit(admin.tab, "account-admin");
  await admin.tab.getByLabel(`Type ${twin} to confirm`).fill(twin);
  await admin.tab.getByRole("button", { name: "Redact" }).click();
  await admin.tab.waitForURL(new RegExp(`/accounts/${twin}$`));
  await expectText(admin.tab, "redacted");

  // Webhooks: the receiver's deliveries, one delivered again, the secret rotated.
  await admin.tab.getByRole("link", { name: "Settings" }).click();
  await admin.tab.getByRole("link", { name: "Webhooks", exact: true }).click();
  await admin.tab.getByRole("link", { name: /^http/ }).first().click();
  await expectText(admin.tab, "case.resolved");
  await expectText(admin.tab, "delivered");
  await admin.tab.getByRole("button", { name: /^Deliver evt_.* again$/ }).first().click();
  await expectText(admin.tab, "queued to be delivered again");
  await admin.tab.getByRole("button", { name: "Rotate the secret" }).click();
  await expectText(admin.tab, "shown once");
  await audit(admin.tab, "webhook");

  // Events: what the reviewer did, found by name, then everything she did.
  await admin.tab.getByRole("link", { name: "Events", exact: true }).click();
  await admin.tab.getByLabel("Event names").fill("case.resolved");
  await admin.tab.getByRole("button", { name: "Find" }).click();
  await admin.tab.waitForURL(/name=case.resolved/);
  await expectText(admin.tab, "Rita Reviewer");
  await admin.tab.getByRole("link", { name: "Everything Rita Reviewer did" }).first().click();
  await admin.tab.waitForURL(/actor=user_/);
  await expectText(admin.tab, "case.decision-proposed");
  await expectText(admin.tab, "account.tag-added");
  await audit(admin.tab, "events");

  // Lists: the blocklist's items, one added by hand, a CSV imported (one row refused).
  await admin.tab.getByRole("link", { name: "Lists", exact: true }).click();
  await admin.tab.getByRole("link", { name: "Known fraudsters" }).click();
  await expectText(admin.tab, "Joe Imposter");
  await admin.tab.getByLabel("Given name").fill("Eve");
  await admin.tab.getByLabel("Family name").fill("Mallory");
  await admin.tab.getByRole("button", { name: "Add", exact: true }).click();
  await expectText(admin.tab, "Eve Mallory");
  await admin.tab.getByLabel(/^The file/).setInputFiles({
    name: "fraudsters.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("name_first,name_last\nMallory,Knox\nToo,Many,Cells\nTrent,Oscar\n"),
  });
  await admin.tab.getByRole("button", { name: "Import" }).click();
  await admin.tab.waitForURL(/\/importers\/mprt_/);
  await expectText(admin.tab, "The import is done.");
  await expectText(admin.tab, "Refused rows");
  await expectText(admin.tab, "has 3 cells but the header names 2 columns");
  const added = (await admin.tab.locator("#imported").innerText()).trim();
  if (added !== "2") fail(`the import added ${added} items, not 2`);
  await audit(admin.tab, "import");
  await admin.tab.getByRole("link", { name: "← The list" }).click();
  await expectText(admin.tab, "Trent Oscar");
  await audit(admin.tab, "list");
  // A place: latitude, longitude and radius, typed.
  await admin.tab.getByRole("link", { name: "Lists", exact: true }).click();
  await admin.tab.getByRole("link", { name: "Fraud hot spots" }).click();
  await admin.tab.getByLabel(/^Latitude/).fill("52.52");
  await admin.tab.getByLabel(/^Longitude/).fill("13.405");
  await admin.tab.getByLabel("Radius in meters").fill("500");
  await admin.tab.getByRole("button", { name: "Add", exact: true }).click();
  await expectText(admin.tab, "52.52");
  await audit(admin.tab, "list-geolocation");

  // Settings → API keys: make one (shown once), use it, revoke it.
  await admin.tab.getByRole("link", { name: "Settings" }).click();
  await admin.tab.getByRole("link", { name: "API keys" }).click();
  await admin.tab.getByLabel("Name", { exact: true }).fill("bi-export");
  await admin.tab.getByLabel("What it is for").fill("the nightly BI export");
  await admin.tab.getByLabel("account.read", { exact: true }).check();
  await admin.tab.getByRole("button", { name: "Make the key" }).click();
  await expectText(admin.tab, "it is not shown again");
  const made = (await admin.tab.locator("#new-key").innerText()).trim();
  const withKey = (key) => fetch(`${base}/api/v1/accounts`, { headers: { Authorization: `Bearer ${key}` } });
  if ((await withKey(made)).status !== 200) fail("the key made in the console does not read accounts");
  await audit(admin.tab, "api-keys");
  await admin.tab.getByRole("button", { name: /^Revoke bi-export/ }).click();
  await admin.tab.getByRole("button", { name: "Yes, revoke bi-export" }).click();
  await admin.tab.waitForURL(/\/settings\/keys$/);
  if ((await withKey(made)).status !== 401) fail("a revoked key still works");

  // Settings → Rules: turn one off.
  await admin.tab.getByRole("link", { name: "Flagging rules" }).click();
  const firstRule = admin.tab.locator("tbody tr").first();
  await firstRule.getByRole("button", { name: /^Turn off/ }).click();
  await admin.tab.waitForURL(/\/settings\/rules$/);
  await admin.tab.locator("tbody tr").first().getByRole("button", { name: /^Turn on/ }).waitFor();
  await audit(admin.tab, "rules");

  // Two-factor sign-in: the reviewer sets it up, then signs in with a code.
  const rita2 = await signIn(setup.reviewer.email);
  await rita2.tab.getByRole("link", { name: "Two-factor" }).click();
  await rita2.tab.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await rita2.tab.getByRole("img", { name: "QR code of your two-factor secret" }).waitFor();
  const secret = (await rita2.tab.locator("#two-factor-secret").innerText()).trim();
  await rita2.tab.getByLabel("The 6-digit code the app shows").fill("000000");
  await rita2.tab.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expectText(rita2.tab, "is not the current code");
  await rita2.tab.getByLabel("The 6-digit code the app shows").fill(totp(secret));
  await rita2.tab.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expectText(rita2.tab, "Two-factor sign-in is on");
  await audit(rita2.tab, "two-factor");
  await rita2.tab.getByRole("button", { name: "Sign out" }).click();
  await rita2.tab.waitForURL(/\/login/);
  await rita2.tab.getByLabel("Email address").fill(setup.reviewer.email);
  await rita2.tab.getByLabel("Password").fill(setup.password);
  await rita2.tab.getByRole("button", { name: "Sign in" }).click();
  await expectText(rita2.tab, "Two-factor code required");
  await rita2.tab.getByLabel("Password").fill(setup.password);
  await rita2.tab.getByLabel(/Two-factor code/).fill(totp(secret, 1));
  await rita2.tab.getByRole("button", { name: "Sign in" }).click();
  await rita2.tab.waitForURL(/\/sandbox\/cases/);
  await rita2.context.close();

  // The admin requires it for everyone: having none herself, she is sent to set it up.
  await admin.tab.getByRole("link", { name: "Users" }).click();
  await admin.tab.getByLabel("Require two-factor sign-in for everyone").check();
  await admin.tab.getByRole("button", { name: "Save", exact: true }).click();
  await admin.tab.goto(`${base}/sandbox/cases`);
  await admin.tab.waitForURL(/\/sandbox\/me\/two-factor$/);
  await expectText(admin.tab, "Your organization requires two-factor sign-in");
  await audit(admin.tab, "two-factor-required");
  await admin.context.close();
} finally {
  await browser.close();
}
console.log(JSON.stringify({ ok: true, pages: checked }));

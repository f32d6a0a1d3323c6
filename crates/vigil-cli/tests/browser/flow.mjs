// The verification flow in a real browser (Debian's Chromium, driven by playwright-core),
// embedded by Persona's official SDK (npm `persona`, unmodified) in a shop's sign-up page
// that this script serves on another origin, with the SDK's host pointed at vigil. Run by
// tests/api/flow.rs, which starts vigil, passes the setup in VIGIL_FLOW_SETUP (JSON) and
// checks the API and the webhooks afterwards.
//
// A person completes a verification (a wrong email refused by name on the way, the SDK's
// callbacks heard: load, ready, start, complete with the inquiry's id, status and
// fields); another leaves half-way in Spanish and resumes with the session token the SDK
// handed the page; a third opens a one-time link on a phone-sized screen, finishes, and
// finds the link used up the second time. Every step is checked with axe-core (no serious
// or critical violation) and saved as a screenshot. The last line printed is a JSON
// summary; any failure exits non-zero.

import { audit, expectText, fail, flowFrame, heard, launch, pressUntil, run, setup, shopUrl, summary, tick } from "./flow-kit.mjs";

const browser = await launch();
// axe is injected as a script: the flow's CSP (scripts from itself only) would refuse it.
const desktop = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 860 } });

await run(browser, async () => {
  // 1. A clean pass, embedded by the SDK with a template id, a reference id and a
  //    prefilled first name.
  const page = await desktop.newPage();
  await page.goto(shopUrl({ templateId: setup.template, referenceId: "shop-user-1", fields: { nameFirst: "Ada" }, themeSetId: setup.theme }));
  await heard(page, "ready");
  let frame = await flowFrame(page, "Before you start");
  // In the shop's colours (its theme set).
  const begin = await frame.getByRole("button", { name: "Begin" }).evaluate((b) => getComputedStyle(b).backgroundColor);
  if (begin !== "rgb(11, 110, 79)") fail(`the Begin button is ${begin}, not the theme set's colour`);
  await audit(frame, page, "flow-1-consent");
  await frame.getByRole("button", { name: "Begin" }).click();
  // Begin without agreeing is refused, and says what is missing.
  frame = await flowFrame(page, ": required");
  await tick(frame.getByLabel("I agree that my details are used to verify my identity"));
  await frame.getByRole("button", { name: "Begin" }).click();
  frame = await flowFrame(page, "Your details");
  const started = await heard(page, "event:start");
  if (!started.metadata.inquiryId?.startsWith("inq_")) fail(`start came without an inquiry id: ${JSON.stringify(started)}`);
  if ((await frame.getByLabel("First name").inputValue()) !== "Ada") fail("the prefilled first name is not shown");
  await frame.getByLabel("Last name").fill("Lovelace");
  await frame.getByLabel("Date of birth").fill("1990-12-10");
  await frame.getByLabel("Email address").fill("not an email");
  await frame.getByRole("button", { name: "Continue" }).click();
  frame = await flowFrame(page, "Some details need another look:");
  // The summary names the field and leads to it.
  await frame.getByRole("link", { name: "Email address" }).click();
  await expectText(frame, "Enter an email address, like name@example.com.");
  if ((await frame.getByLabel("Email address").getAttribute("aria-invalid")) !== "true") fail("the wrong email is not marked invalid");
  await audit(frame, page, "flow-2-details-error");
  await frame.getByLabel("Email address").fill("ada@example.com");
  await frame.getByRole("button", { name: "Continue" }).click();
  frame = await flowFrame(page, "Check your details");
  await expectText(frame, "Lovelace");
  await audit(frame, page, "flow-3-review");
  await frame.getByRole("button", { name: "Submit" }).click();
  const done = await heard(page, "complete");
  if (done.inquiryId !== started.metadata.inquiryId) fail(`complete named ${done.inquiryId}, start ${started.metadata.inquiryId}`);
  if (done.status !== "completed") fail(`complete said ${done.status}`);
  if (done.fields["name-last"]?.value !== "Lovelace") fail(`complete's fields: ${JSON.stringify(done.fields)}`);
  const names = await page.evaluate(() => window.heard.map((e) => e.name));
  for (const name of ["load", "ready", "event:start", "complete"]) {
    if (!names.includes(name)) fail(`the page never heard ${name}: ${names}`);
  }
  // The SDK closed its overlay on completion.
  if (await page.locator(".persona-widget__overlay").isVisible()) fail("the SDK's overlay is still open");
  summary.clean = done.inquiryId;

  // 2. In Spanish: leave half-way; the page gets the inquiry and token, and resumes.
  const leaving = await desktop.newPage();
  await leaving.goto(shopUrl({ templateId: setup.template, referenceId: "shop-user-2", language: "es" }));
  await heard(leaving, "ready");
  frame = await flowFrame(leaving, "Antes de empezar");
  await tick(frame.getByLabel("Acepto que mis datos se usen para verificar mi identidad"));
  await frame.getByRole("button", { name: "Empezar" }).click();
  frame = await flowFrame(leaving, "Sus datos");
  // The template's own Spanish label for a field.
  await frame.getByLabel("Segundo nombre (si lo tiene)").waitFor({ timeout: 5000 });
  await audit(frame, leaving, "flow-4-details-es");
  await frame.getByRole("button", { name: "Salir de la verificación" }).click();
  const left = await heard(leaving, "cancel");
  if (!left.inquiryId?.startsWith("inq_") || !left.sessionToken?.startsWith("iqst_")) fail(`cancel came with ${JSON.stringify(left)}`);
  const resumed = await desktop.newPage();
  await resumed.goto(shopUrl({ inquiryId: left.inquiryId, sessionToken: left.sessionToken }));
  await heard(resumed, "ready");
  frame = await flowFrame(resumed, "Your details");
  await frame.getByLabel("First name").fill("Grace");
  await frame.getByLabel("Last name").fill("Hopper");
  frame = await pressUntil(resumed, frame, "Continue", "Check your details");
  await frame.getByRole("button", { name: "Submit" }).click();
  const resumedDone = await heard(resumed, "complete");
  if (resumedDone.inquiryId !== left.inquiryId) fail(`resumed ${resumedDone.inquiryId}, left ${left.inquiryId}`);
  summary.resumed = left.inquiryId;

  // 3. A one-time link, as its own page on a phone: it works once.
  const phone = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
  const hosted = await phone.newPage();
  await hosted.goto(setup.link);
  await expectText(hosted, "This link opens your verification once");
  await audit(hosted, hosted, "flow-5-link-phone");
  await hosted.getByRole("button", { name: "Continue" }).click();
  await expectText(hosted, "Your details");
  await hosted.getByLabel("First name").fill("Jane");
  await hosted.getByLabel("Last name").fill("Doe");
  await hosted.getByLabel("Date of birth").fill("1990-04-01");
  await audit(hosted, hosted, "flow-6-details-phone");
  const width = await hosted.evaluate(() => document.documentElement.scrollWidth);
  if (width > 320) fail(`the details page is ${width} px wide on a 320 px screen`);
  await hosted.getByRole("button", { name: "Continue" }).click();
  await expectText(hosted, "Check your details");
  await hosted.getByRole("button", { name: "Submit" }).click();
  await expectText(hosted, "Thank you: you are done");
  await audit(hosted, hosted, "flow-7-done-phone");
  await hosted.goto(setup.link);
  await hosted.getByRole("button", { name: "Continue" }).click();
  await expectText(hosted, "already used");
  summary.link = "used once";
});

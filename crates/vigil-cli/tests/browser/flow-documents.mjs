// The verification flow's photo steps in a real browser: Persona's official SDK embeds a
// template with a government ID step and a selfie step; the person uploads generated
// documents (written by tests/api/flow.rs: a licence whose back carries a real PDF417
// AAMVA barcode, an expired passport with a real MRZ, a blurred photo) and takes the
// selfie with Chromium's fake camera, whose picture is a generated face.
//
// Cases: a clean pass (a blurred photo first, asked again with the reason); a licence
// whose barcode names someone other than the person typed (under review); an expired
// passport, on a phone-sized screen (not verified); a name on the environment's
// blocklist (under review). Every step is audited (axe-core) and saved as a screenshot.

import { audit, expectText, fail, flowFrame, heard, launch, pressUntil, run, setup, shopUrl, summary, tick } from "./flow-kit.mjs";

const browser = await launch([
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  `--use-file-for-fake-video-capture=${setup.camera}`,
]);

// Consent and details, as the person fills them; the flow's frame on the ID step. With
// `resume` ({inquiryId, sessionToken}: an inquiry the shop's back end made for an
// account), the SDK resumes it at the details instead.
async function begin(page, reference, details, first, resume) {
  await page.goto(shopUrl(resume || { templateId: setup.template, referenceId: reference }));
  await heard(page, "ready");
  let frame;
  if (!resume) {
    frame = await flowFrame(page, "Before you start");
    await tick(frame.getByLabel("I agree that my details are used to verify my identity"));
    await frame.getByRole("button", { name: "Begin" }).click();
  }
  frame = await flowFrame(page, "Your details");
  for (const [label, value] of Object.entries(details)) {
    await frame.getByLabel(label, { exact: true }).fill(value);
  }
  if (first) await audit(frame, page, "flow-docs-1-details");
  return pressUntil(page, frame, "Continue", "Photograph your ID");
}

async function handInId(page, frame, country, type, front, back) {
  await frame.getByLabel("Country that issued it").selectOption(country);
  await frame.getByLabel(type).check();
  await frame.getByLabel("Front (the side with your photo)").setInputFiles(front);
  if (back) await frame.getByLabel("Back", { exact: true }).setInputFiles(back);
  await frame.getByRole("button", { name: "Continue" }).click();
}

// The selfie, by the camera: start it, take the picture (it is sent at once).
async function takeSelfie(page, shot) {
  let frame = await flowFrame(page, "Take a selfie");
  if (await frame.getByRole("button", { name: "Take photo" }).isVisible()) fail("Take photo shows before the camera is on");
  if (shot) await audit(frame, page, shot);
  await frame.getByRole("button", { name: "Use my camera" }).click();
  await frame.locator("video").waitFor({ state: "visible", timeout: 10000 });
  await frame.waitForFunction(() => document.querySelector("video").videoWidth > 0, null, { timeout: 10000 });
  if (shot) await audit(frame, page, `${shot}-camera`);
  await frame.getByRole("button", { name: "Take photo" }).click();
  return flowFrame(page, "Check your details");
}

async function submitted(page) {
  const frame = await flowFrame(page, "Check your details");
  await expectText(frame, "Identity document");
  await frame.getByRole("button", { name: "Submit" }).click();
  return heard(page, "complete", 20000);
}

await run(browser, async () => {
  const desktop = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });

  // 1. A clean pass: a blurred photo is refused with its reason, then the licence passes
  //    and the camera takes the selfie.
  const page = await desktop.newPage();
  let frame = await begin(page, "doc-clean", { "First name": "Jane", "Last name": "Specimen", "Date of birth": "1990-01-31" }, true);
  await audit(frame, page, "flow-docs-2-id");
  // A file that is not a photo is refused, and the step says so.
  await handInId(page, frame, "US", "Driver's licence", setup.files.notPhoto, setup.files.licenceBack);
  frame = await flowFrame(page, "The file is not a photo we can read");
  await handInId(page, frame, "US", "Driver's licence", setup.files.blurred, setup.files.licenceBack);
  frame = await flowFrame(page, "Please take the photo again");
  await expectText(frame, "The photo is blurred");
  // What the person chose is kept for the second try.
  const kept = await frame.getByLabel("Country that issued it").inputValue();
  if (kept !== "US") fail(`the retake forgot the country: ${kept}`);
  if (await frame.locator("[data-camera]").isVisible()) fail("the camera box shows on the ID step");
  await audit(frame, page, "flow-docs-3-id-retake");
  await handInId(page, frame, "US", "Driver's licence", setup.files.licenceFront, setup.files.licenceBack);
  frame = await takeSelfie(page, "flow-docs-4-selfie");
  await expectText(frame, "Selfie");
  await audit(frame, page, "flow-docs-5-review");
  const clean = await submitted(page);
  if (clean.status !== "completed") fail(`the clean pass ended ${clean.status}`);
  // The SDK's step events reached the page's onEvent.
  for (const name of ["event:country-select", "event:document-upload", "event:selfie-camera-capture", "event:verification-change"]) {
    await heard(page, name);
  }
  summary.clean = clean.inquiryId;

  // 2. The licence's barcode names Jane; John, whose account the inquiry is for, typed
  //    his own name: a person reviews it (and a case opens for the account).
  const mismatch = await desktop.newPage();
  frame = await begin(mismatch, null, { "First name": "John", "Last name": "Example", "Date of birth": "1985-05-05" }, false, setup.mismatch);
  await handInId(mismatch, frame, "US", "Driver's licence", setup.files.licenceFront, setup.files.licenceBack);
  await takeSelfie(mismatch);
  const review = await submitted(mismatch);
  if (review.status !== "needs_review") fail(`the mismatched licence ended ${review.status}`);
  summary.mismatch = review.inquiryId;

  // 3. An expired passport, on a phone: not verified.
  const phone = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  frame = await begin(small, "doc-expired", { "First name": "Jane", "Last name": "Specimen" });
  const width = await frame.evaluate(() => document.documentElement.scrollWidth);
  if (width > 320) fail(`the ID step is ${width} px wide on a 320 px screen`);
  await audit(frame, small, "flow-docs-6-id-phone");
  await handInId(small, frame, "GB", "Passport", setup.files.passportExpired, null);
  await takeSelfie(small);
  const expired = await submitted(small);
  if (expired.status !== "failed") fail(`the expired passport ended ${expired.status}`);
  summary.expired = expired.inquiryId;

  // 4. A name on the blocklist.
  const listed = await desktop.newPage();
  frame = await begin(listed, "doc-listed", { "First name": "Mallory", "Last name": "Listed" });
  await handInId(listed, frame, "US", "Driver's licence", setup.files.listedFront, setup.files.listedBack);
  await takeSelfie(listed);
  const blocked = await submitted(listed);
  if (blocked.status !== "needs_review") fail(`the listed name ended ${blocked.status}`);
  summary.listed = blocked.inquiryId;
});

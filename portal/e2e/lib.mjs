// What every browser scenario shares: Debian's Chromium driven by playwright-core (nothing is
// downloaded), the scenario's input (JSON in PORTAL_E2E), screenshots, and the checks that hold
// on every page (no Content-Security-Policy violation, no uncaught error).
//
// A scenario is run by tests/portal.rs as `node portal/e2e/<scenario>.mjs` with PORTAL_E2E set;
// it exits 0 when every check held, and prints its findings for the Rust side on a last line
// `PORTAL_E2E_RESULT {...}`.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export { assert };

/** The scenario's input: `url`s of portal links, ids, and where screenshots go. */
export const input = JSON.parse(process.env.PORTAL_E2E ?? "{}");

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
/** Long enough for a slow machine, short enough that a stuck page fails the test by itself. */
export const TIMEOUT = Number(process.env.PORTAL_E2E_TIMEOUT_MS ?? 20_000);

const problems = [];
const expected = [];

/** Problems matching `pattern` are expected (e.g. a frame the CSP refuses on purpose). */
export function expectProblems(pattern) {
  expected.push(pattern);
}

/** A fresh browser context (no cookie) with a page that records CSP violations and errors. */
export async function newPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport, locale: "en-GB", timezoneId: input.timezone ?? "Europe/Paris" });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(text)) {
      problems.push(`CSP violation: ${text}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught error in the page: ${error.message}`));
  return { context, page };
}

/**
 * Writes `<name>.png` to the screenshot folder (target/portal-screenshots); the README's (`docs`)
 * also to docs/portal when the run asks for it (EDGEHOOK_PORTAL_DOCS=1).
 */
export async function shot(page, name, { fullPage = true, docs = false } = {}) {
  const dirs = [input.screenshots, docs ? input.docs_screenshots : null].filter(Boolean);
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage });
  }
}

/** Waits until `locator` is visible. */
export async function visible(locator) {
  await locator.first().waitFor({ state: "visible" });
  return locator.first();
}

/** The page's width fits the viewport: nothing scrolls sideways. */
export async function assertNoHorizontalScroll(page, where) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${where}: the page scrolls sideways (scrollWidth ${scrollWidth} > ${innerWidth})`);
}

/** Presses Tab until the focused element's accessible text is `name`; fails after `limit` presses. */
export async function tabTo(page, name, limit = 40) {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element) return "";
      const label = element.getAttribute("aria-label");
      if (label) return label;
      if (element.id) {
        const forLabel = document.querySelector(`label[for="${element.id}"]`);
        if (forLabel) return forLabel.textContent?.trim() ?? "";
      }
      return element.textContent?.trim() ?? "";
    });
    if (focused === name) return presses + 1;
  }
  throw new Error(`${name} was not reached with ${limit} presses of Tab`);
}

/** `fetch` from inside the page (same origin, the session's cookie), with the session's CSRF token. */
export async function fetchInPage(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const session = await fetch("/api/v1/portal/session").then((response) => response.json());
      const response = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf_token ?? "" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, body: json };
    },
    { method, url, body },
  );
}

/** Opens a portal link and waits for the endpoint list (the code exchanged for a session). */
export async function openLink(page, url) {
  await page.goto(url);
  await visible(page.getByRole("heading", { name: "Endpoints", level: 1 }));
  assert.ok(!page.url().includes("code="), `the one-time code stays in the address bar: ${page.url()}`);
}

/**
 * Runs a scenario: launches Chromium, runs `body(browser)`, checks that no page had a CSP
 * violation or an uncaught error, prints the result; on failure, a screenshot of every open
 * page and exit 1.
 */
export async function scenario(name, body) {
  const started = Date.now();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  let code = 0;
  try {
    const result = (await body(browser)) ?? {};
    const unexpected = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    assert.deepEqual(unexpected, [], "problems on the pages");
    console.log(`${name}: passed in ${Date.now() - started} ms`);
    console.log(`PORTAL_E2E_RESULT ${JSON.stringify(result)}`);
  } catch (error) {
    code = 1;
    console.error(`${name}: FAILED: ${error?.stack ?? error}`);
    if (problems.length) console.error(`problems on the pages:\n${problems.join("\n")}`);
    const dir = input.screenshots;
    if (dir) {
      let index = 0;
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          index += 1;
          try {
            fs.mkdirSync(dir, { recursive: true });
            const file = path.join(dir, `FAILED-${name}-${index}.png`);
            await page.screenshot({ path: file, fullPage: true });
            console.error(`screenshot of the failure: ${file} (at ${page.url()})`);
          } catch {
            // the page may be gone
          }
        }
      }
    }
  } finally {
    await browser.close();
  }
  process.exit(code);
}

// A read-only link: a visible "Read-only" badge, no control that changes anything on any page,
// and a change sent anyway from the page (with the session's CSRF token) refused with 403.
//
// Input: url (a read-only portal link), webhook_id, callback_url. Result: the refused answers.
import { assert, fetchInPage, input, newPage, openLink, scenario, shot, visible } from "./lib.mjs";

const CHANGES = [
  "Add endpoint",
  "Pause",
  "Resume",
  "Delete endpoint",
  "Send test event",
  "Replay",
  "Rotate secret",
  "Register encryption key",
  "Redrive all",
  "Resend",
  "Save changes",
];

async function assertNoChangeControls(page, where) {
  for (const name of CHANGES) {
    const controls = page.getByRole("button", { name, exact: true }).or(page.getByRole("link", { name, exact: true }));
    assert.equal(await controls.count(), 0, `${where}: a read-only session shows "${name}"`);
  }
  const redrives = page.getByRole("button", { name: /^Redrive/ });
  assert.equal(await redrives.count(), 0, `${where}: a read-only session shows a redrive button`);
}

await scenario("read_only", async (browser) => {
  const { page } = await newPage(browser);
  await openLink(page, input.url);
  await visible(page.getByText("Read-only", { exact: true }));
  await visible(page.getByTestId("endpoint-card").filter({ hasText: input.webhook_id }));
  await assertNoChangeControls(page, "the list");
  await shot(page, "read-only");

  await page.getByRole("link", { name: input.callback_url, exact: true }).click();
  await visible(page.getByRole("heading", { name: "Health" }));
  await visible(page.getByRole("table", { name: "Stats" }));
  await assertNoChangeControls(page, "the endpoint");
  const tabs = page.getByRole("navigation", { name: "Endpoint sections" });
  assert.equal(await tabs.getByRole("link", { name: "Settings" }).count(), 0, "no settings tab");
  for (const tab of ["Deliveries", "Dead letters", "Secrets"]) {
    await tabs.getByRole("link", { name: tab }).click();
    await visible(page.getByRole("heading", { name: tab, level: 2 }));
    await page.getByRole("status").filter({ hasText: "Loading" }).waitFor({ state: "detached" });
    await assertNoChangeControls(page, tab);
  }
  const rows = page.getByTestId("attempt-row");
  if (await rows.count()) {
    await rows.first().getByRole("button").click();
    await visible(page.getByRole("dialog"));
    await assertNoChangeControls(page, "an event");
    await page.keyboard.press("Escape");
  }
  // The page asked for #/new anyway: no form.
  await page.goto(new URL("#/new", page.url()).toString());
  await page.getByRole("heading", { level: 1 }).first().waitFor();

  // The server is the guard: changes sent anyway are refused.
  const patch = await fetchInPage(page, "PATCH", `/api/v1/webhooks/${input.webhook_id}`, { status: "inactive", description: "changed" });
  assert.equal(patch.status, 403, JSON.stringify(patch));
  assert.equal(patch.body?.error?.code, "read_only", JSON.stringify(patch));
  const rotate = await fetchInPage(page, "POST", `/api/v1/webhooks/${input.webhook_id}/rotate-secret`, { overlap_seconds: 0 });
  assert.equal(rotate.status, 403, JSON.stringify(rotate));
  const create = await fetchInPage(page, "POST", "/api/v1/webhooks", { callback_url: "https://example.com/x" });
  assert.equal(create.status, 403, JSON.stringify(create));
  const remove = await fetchInPage(page, "DELETE", `/api/v1/webhooks/${input.webhook_id}`);
  assert.equal(remove.status, 403, JSON.stringify(remove));
  return { patch, rotate, create, remove };
});

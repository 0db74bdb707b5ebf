// A customer rotates an endpoint's signing secret with no overlap: the new secret is shown once
// (not after a reload, which keeps the session through its cookie).
//
// Input: url (a portal link), webhook_id, old_secret. Result: secret (the new one).
import { assert, input, newPage, openLink, scenario, shot, visible } from "./lib.mjs";

await scenario("rotate_secret", async (browser) => {
  const { page } = await newPage(browser);
  await openLink(page, input.url);
  await page.getByRole("link", { name: input.callback_url, exact: true }).click();
  await page.getByRole("navigation", { name: "Endpoint sections" }).getByRole("link", { name: "Secrets" }).click();
  await visible(page.getByRole("heading", { name: "Secrets" }));
  await visible(page.getByText("HMAC-SHA256 (a shared secret)", { exact: false }));

  await page.getByLabel("Old key keeps signing for").selectOption({ label: "None: the old key stops now" });
  await page.getByLabel("New key's scheme").selectOption("hmac-sha256");
  const rotate = page.getByRole("button", { name: "Rotate secret" });
  await rotate.click();
  const secret = (await (await visible(page.getByTestId("new-secret"))).textContent()).trim();
  assert.match(secret, /^whsec_/);
  assert.notEqual(secret, input.old_secret, "a rotation makes a new secret");
  await visible(page.getByText("it is shown only once"));
  await visible(page.getByRole("button", { name: "Copy" }));
  await shot(page, "rotate-secret");

  // Shown once: a reload (the session's cookie keeps it open) no longer shows it.
  await page.reload();
  await visible(page.getByRole("heading", { name: "Secrets" }));
  assert.equal(await page.getByTestId("new-secret").count(), 0, "the secret is shown only once");
  assert.equal(await page.getByText(secret).count(), 0);
  return { secret };
});

// A customer manages an endpoint: edits its settings (the server's field error shown first),
// pauses and resumes it, registers an encryption key, switches its signatures to Ed25519; and
// deletes another (a confirmation dialog that Escape closes, then confirmed).
//
// Input: url (a portal link), webhook_id, callback_url, jwk (an X25519 public JWK),
// doomed_webhook_id, doomed_callback_url (the one to delete).
// Result: public_key (the Ed25519 key shown).
import { assert, input, newPage, openLink, scenario, shot, visible } from "./lib.mjs";

await scenario("manage_endpoint", async (browser) => {
  const { page } = await newPage(browser);
  await openLink(page, input.url);
  await page.goto(new URL(`#/endpoints/${input.webhook_id}`, page.url()).toString());
  await visible(page.getByRole("heading", { name: input.callback_url, exact: true, level: 1 }));
  const sections = page.getByRole("navigation", { name: "Endpoint sections" });

  // Settings: a wrong value is refused with its field marked; then saved.
  await sections.getByRole("link", { name: "Settings" }).click();
  await visible(page.getByRole("heading", { name: "Settings" }));
  await page.getByLabel("Retries after a failure").fill("99");
  await page.getByRole("button", { name: "Save changes" }).click();
  await visible(page.getByRole("alert"));
  await page.waitForFunction(() => document.getElementById("max-retries")?.getAttribute("aria-invalid") === "true");
  await page.getByLabel("Retries after a failure").fill("5");
  await page.getByLabel("Description").fill("Orders service (v2)");
  await page.getByLabel("Filters (JSON, optional)").fill('{"amount_gt": 100}');
  await page.getByRole("checkbox", { name: "order.shipped" }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await visible(page.getByRole("heading", { name: "Health" }));
  await visible(page.getByText("Orders service (v2)"));

  // Pause, then resume: the button says what it does while it works, the badge follows.
  await page.getByRole("button", { name: "Pause" }).click();
  await visible(page.getByText("paused", { exact: true }));
  await visible(page.getByRole("button", { name: "Resume" }));
  await page.getByRole("button", { name: "Resume" }).click();
  await visible(page.getByRole("button", { name: "Pause" }));
  await visible(page.getByText("active", { exact: true }));

  // Secrets: an encryption key (a bad one refused first), then Ed25519 signatures.
  await sections.getByRole("link", { name: "Secrets" }).click();
  await page.getByLabel("Public key (JWK, JSON)").fill('{"kty": "oct", "k": "c2VjcmV0"}');
  await page.getByRole("button", { name: "Register encryption key" }).click();
  await visible(page.getByRole("alert"));
  await page.getByLabel("Public key (JWK, JSON)").fill(JSON.stringify(input.jwk));
  await page.getByLabel("Encrypt only these fields (comma-separated; empty: the whole payload)").fill("card.number");
  await page.getByRole("button", { name: "Register encryption key" }).click();
  await visible(page.getByText("Encryption key registered"));
  await visible(page.getByText("encrypted", { exact: true }));

  await page.getByLabel("New key's scheme").selectOption("ed25519");
  await page.getByLabel("Old key keeps signing for").selectOption({ label: "1 hour" });
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const publicKey = (await (await visible(page.getByTestId("new-public-key"))).textContent()).trim();
  assert.match(publicKey, /^whpk_/);
  await visible(page.getByText("Ed25519", { exact: true }));
  // The public keys: the new one current (the HMAC secret retiring is not a public key).
  await visible(page.getByRole("list", { name: "Public keys" }).getByText(publicKey));
  await shot(page, "secrets");

  // Delete: the dialog takes the focus, Escape closes it and nothing is deleted; then confirmed.
  await page.goto(new URL(`#/endpoints/${input.doomed_webhook_id}`, page.url()).toString());
  await visible(page.getByRole("heading", { name: input.doomed_callback_url, exact: true, level: 1 }));
  await page.getByRole("button", { name: "Delete endpoint" }).click();
  const dialog = await visible(page.getByRole("dialog", { name: "Delete this endpoint?" }));
  assert.equal(await dialog.getByRole("button", { name: "Delete", exact: true }).evaluate((element) => element === document.activeElement), true, "the dialog focuses its first control");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  await visible(page.getByRole("heading", { name: input.doomed_callback_url, exact: true, level: 1 }));
  await page.getByRole("button", { name: "Delete endpoint" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await visible(page.getByRole("heading", { name: "Endpoints", level: 1 }));
  await visible(page.getByTestId("endpoint-card").filter({ hasText: input.webhook_id }));
  assert.equal(await page.getByText(input.doomed_webhook_id).count(), 0, "the deleted endpoint is still listed");
  return { public_key: publicKey };
});

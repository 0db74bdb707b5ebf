// A customer opens a portal link and, with the keyboard only, adds an endpoint (the server's
// refusal of a bad callback URL shown on its field first), picks an event type from the
// catalogue, sees the signing secret once, and sends a test event that the endpoint answers.
//
// Input: url (a portal link), callback_url (a receiver), event_type (in the catalogue).
// Result: webhook_id, secret.
import { assert, input, newPage, openLink, scenario, shot, tabTo, visible } from "./lib.mjs";

await scenario("add_endpoint", async (browser) => {
  const { page } = await newPage(browser);
  await openLink(page, input.url);
  await visible(page.getByText("No endpoints yet."));

  // Keyboard only: Tab to "Add endpoint", Enter.
  await tabTo(page, "Add endpoint");
  await page.keyboard.press("Enter");
  await visible(page.getByRole("heading", { name: "Add endpoint", level: 1 }));
  const callbackUrl = page.getByLabel("Callback URL");
  await visible(callbackUrl);
  // The catalogue's types are offered.
  await visible(page.getByRole("checkbox", { name: input.event_type }));
  assert.equal(await callbackUrl.evaluate((element) => element === document.activeElement), true, "the form's first field has the focus");

  // A URL the API refuses: its message, on its field.
  await page.keyboard.type("ftp://example.com/hooks");
  await page.keyboard.press("Enter");
  const alert = await visible(page.getByRole("alert"));
  assert.ok((await alert.textContent()).length > 0);
  await page.waitForFunction(() => document.getElementById("callback-url")?.getAttribute("aria-invalid") === "true");
  await shot(page, "add-endpoint-error");

  // Fixed: the receiver's URL, a description, the catalogue's type; Enter submits.
  await callbackUrl.focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type(input.callback_url);
  await page.keyboard.press("Tab");
  await page.keyboard.type("Orders service");
  await page.keyboard.press("Tab");
  const checkbox = page.getByRole("checkbox", { name: input.event_type });
  assert.equal(await checkbox.evaluate((element) => element === document.activeElement), true, "Tab reaches the event types");
  await page.keyboard.press("Space");
  assert.equal(await checkbox.isChecked(), true);
  await shot(page, "add-endpoint", { docs: true });
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Enter");

  await visible(page.getByRole("heading", { name: "Endpoint added" }));
  const secret = (await (await visible(page.getByTestId("new-secret"))).textContent()).trim();
  assert.match(secret, /^whsec_/);
  await visible(page.getByText("it is shown only once"));

  const goTo = page.getByRole("link", { name: "Go to the endpoint" });
  await goTo.focus();
  await page.keyboard.press("Enter");
  await visible(page.getByRole("heading", { name: input.callback_url, exact: true, level: 1 }));
  const webhookId = /#\/endpoints\/([^/]+)/.exec(page.url())?.[1];
  assert.ok(webhookId?.startsWith("wh_"), `the endpoint's address names it: ${page.url()}`);
  // The secret is not shown again.
  assert.equal(await page.getByTestId("new-secret").count(), 0);

  // A test event, sent with the keyboard: the answer is shown.
  const send = page.getByRole("button", { name: "Send test event" });
  await send.focus();
  await page.keyboard.press("Enter");
  const result = await visible(page.getByTestId("test-result"));
  await page.waitForFunction(() => /Delivered/.test(document.querySelector("[data-testid=test-result]")?.textContent ?? ""));
  assert.match(await result.textContent(), /HTTP 200/);
  await shot(page, "test-event");

  // Back to the list: the new endpoint is there.
  await page.getByRole("link", { name: "← Endpoints" }).click();
  await visible(page.getByRole("link", { name: input.callback_url, exact: true }));
  return { webhook_id: decodeURIComponent(webhookId), secret };
});

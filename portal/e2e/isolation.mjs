// A link of client A never shows client B's webhook (not in the list; its address shows "not
// found", and the API from the page says 404), and a link limited to some of A's webhooks
// shows only those.
//
// A's list pages 20 endpoints at a time.
//
// Input: url (A's link), own_webhook_id, other_client_webhook_id, limited_url (A's link limited
// to own_webhook_id), unlisted_webhook_id (another of A's webhooks), endpoints (how many A has,
// over 20).
import { assert, fetchInPage, input, newPage, openLink, scenario, visible } from "./lib.mjs";

async function assertNotFound(page, id) {
  await page.goto(new URL(`#/endpoints/${id}`, page.url()).toString());
  await visible(page.getByRole("heading", { name: "Endpoint not found" }));
  const direct = await fetchInPage(page, "GET", `/api/v1/webhooks/${id}`);
  assert.equal(direct.status, 404, JSON.stringify(direct));
}

await scenario("isolation", async (browser) => {
  const a = await newPage(browser);
  await openLink(a.page, input.url);
  await visible(a.page.getByTestId("endpoint-card").filter({ hasText: input.own_webhook_id }));
  assert.equal(await a.page.getByText(input.other_client_webhook_id).count(), 0, "B's webhook is in A's list");
  const cards = a.page.getByTestId("endpoint-card");
  assert.equal(await cards.count(), 20, "the first page holds 20 endpoints");
  await a.page.getByRole("button", { name: "Next page" }).click();
  await visible(a.page.getByText("Page 2"));
  await a.page.waitForFunction(
    (expected) => document.querySelectorAll('[data-testid="endpoint-card"]').length === expected,
    input.endpoints - 20,
  );
  assert.equal(await a.page.getByRole("button", { name: "Next page" }).isDisabled(), true, "there is no third page");
  assert.equal(await a.page.getByText(input.other_client_webhook_id).count(), 0, "B's webhook is on A's second page");
  await a.page.getByRole("button", { name: "Previous page" }).click();
  await visible(cards.filter({ hasText: input.own_webhook_id }));
  await assertNotFound(a.page, input.other_client_webhook_id);
  const deliveries = await fetchInPage(a.page, "GET", `/api/v1/webhooks/${input.other_client_webhook_id}/deliveries`);
  assert.equal(deliveries.status, 404, JSON.stringify(deliveries));

  const limited = await newPage(browser);
  await openLink(limited.page, input.limited_url);
  await visible(limited.page.getByTestId("endpoint-card").filter({ hasText: input.own_webhook_id }));
  assert.equal(await limited.page.getByTestId("endpoint-card").count(), 1, "a limited link lists only its webhooks");
  assert.equal(await limited.page.getByRole("link", { name: "Add endpoint" }).count(), 0);
  await visible(limited.page.getByText(/Limited to 1 endpoint/));
  await assertNotFound(limited.page, input.unlisted_webhook_id);
  await assertNotFound(limited.page, input.other_client_webhook_id);
  return {};
});

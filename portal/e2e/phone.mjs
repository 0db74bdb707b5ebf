// The portal on a phone-sized screen (375 x 812): the endpoint list, an endpoint and its
// deliveries fit the width (the attempts' table scrolls inside its own box, not the page).
//
// Input: url (a portal link), webhook_id, callback_url.
import { assertNoHorizontalScroll, input, newPage, openLink, scenario, shot, visible } from "./lib.mjs";

await scenario("phone", async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 375, height: 812 } });
  await openLink(page, input.url);
  const card = page.getByTestId("endpoint-card").filter({ hasText: input.webhook_id });
  await visible(card);
  await assertNoHorizontalScroll(page, "the endpoint list");
  await shot(page, "phone-endpoints", { docs: true });

  await card.getByRole("link", { name: input.callback_url, exact: true }).click();
  await visible(page.getByRole("heading", { name: "Health" }));
  await visible(page.getByRole("table", { name: "Stats" }));
  await assertNoHorizontalScroll(page, "the endpoint");
  await shot(page, "phone-endpoint");

  await page.getByRole("navigation", { name: "Endpoint sections" }).getByRole("link", { name: "Deliveries" }).click();
  await visible(page.getByTestId("attempt-row"));
  await assertNoHorizontalScroll(page, "the deliveries");
  await shot(page, "phone-deliveries");

  await page.getByRole("navigation", { name: "Endpoint sections" }).getByRole("link", { name: "Secrets" }).click();
  await visible(page.getByRole("heading", { name: "Secrets" }));
  await assertNoHorizontalScroll(page, "the secrets");

  await page.goto(new URL("#/new", page.url()).toString());
  await visible(page.getByLabel("Callback URL"));
  await assertNoHorizontalScroll(page, "the add endpoint form");
  return {};
});

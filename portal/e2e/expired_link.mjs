// Signing out, and refused links: a code used once already, a code past its link lifetime, a made-up code, and
// the portal opened with no code and no session each show a page saying what to do.
//
// Input: url (a link, opened twice), expired_url (a link past its lifetime), portal (the
// portal's address without a code).
import { assert, input, newPage, openLink, scenario, shot, visible } from "./lib.mjs";

const EXPIRED = "This link has expired or was already used";

await scenario("expired_link", async (browser) => {
  const first = await newPage(browser);
  await openLink(first.page, input.url);
  // The same link again in the same browser: the code is used, the session still open.
  await first.page.goto("about:blank");
  await openLink(first.page, input.url);
  // Signing out ends the session: a reload finds none.
  await first.page.getByRole("button", { name: "Sign out" }).click();
  await visible(first.page.getByRole("heading", { name: "You signed out" }));
  await first.page.reload();
  await visible(first.page.getByRole("heading", { name: "Open your portal link again" }));
  await first.context.close();

  // The same link again, in another browser: the code was used.
  const again = await newPage(browser);
  await again.page.goto(input.url);
  await visible(again.page.getByRole("heading", { name: EXPIRED }));
  await visible(again.page.getByText("Ask for a new one"));
  assert.ok(!again.page.url().includes("code="), "the used code stays in the address bar");
  assert.equal(await again.page.getByRole("link", { name: "Add endpoint" }).count(), 0);
  await shot(again.page, "link-expired");

  const expired = await newPage(browser);
  await expired.page.goto(input.expired_url);
  await visible(expired.page.getByRole("heading", { name: EXPIRED }));

  const madeUp = await newPage(browser);
  await madeUp.page.goto(`${input.portal}#code=not-a-code`);
  await visible(madeUp.page.getByRole("heading", { name: EXPIRED }));

  const none = await newPage(browser);
  await none.page.goto(input.portal);
  await visible(none.page.getByRole("heading", { name: "Open your portal link again" }));
  return {};
});

// A customer looks at a failing endpoint: its health and stats, every attempt the endpoint
// answered 500 (filtered by outcome), an event's payload; resends one event, redrives one dead
// letter and all the others, and replays what came in the last hour (the endpoint answers 200
// again by now).
//
// Input: url (a portal link), webhook_id, callback_url, event_ids (the dead-lettered events,
// first one resent and redriven alone), event_type (of the first).
import { assert, input, newPage, openLink, scenario, shot, visible } from "./lib.mjs";

await scenario("failing_endpoint", async (browser) => {
  const { page } = await newPage(browser);
  await openLink(page, input.url);
  const card = page.getByTestId("endpoint-card").filter({ hasText: input.webhook_id });
  await visible(card);
  await visible(card.getByText("active"));
  await visible(card.getByText(/failing \d/));
  await shot(page, "endpoint-list", { docs: true });

  // The detail: health (failure ratio, circuit, latency) and the last hour's attempts.
  await card.getByRole("link", { name: input.callback_url, exact: true }).click();
  const health = await visible(page.getByRole("definition").first());
  assert.ok(health);
  await visible(page.getByText("Failure ratio"));
  await visible(page.getByText("Failing since"));
  const stats = page.getByRole("table", { name: "Stats" });
  const lastHour = stats.getByRole("row", { name: /Last hour/ });
  await visible(lastHour);
  const hourCells = await lastHour.getByRole("cell").allTextContents();
  assert.ok(Number(hourCells[0].replace(/\D/g, "")) >= input.event_ids.length * 2, `attempts in the last hour: ${hourCells}`);
  await shot(page, "endpoint-detail", { docs: true });


  // Deliveries: each attempt with its 500, its time in the viewer's zone.
  await page.getByRole("navigation", { name: "Endpoint sections" }).getByRole("link", { name: "Deliveries" }).click();
  const rows = page.getByTestId("attempt-row");
  await visible(rows);
  await page.waitForFunction((count) => document.querySelectorAll("[data-testid=attempt-row]").length >= count, input.event_ids.length * 2);
  for (const text of await rows.allTextContents()) {
    assert.match(text, /500/, `an attempt without its 500: ${text}`);
  }
  for (const id of input.event_ids) await visible(rows.filter({ hasText: id }));
  await shot(page, "deliveries", { docs: true });

  // Filtered by outcome and type: only the first event's failed (last) attempt.
  await page.getByLabel("Outcome").selectOption("failed");
  await page.getByLabel("Event type").fill(input.event_type);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.waitForFunction(
    (id) => {
      const rows = [...document.querySelectorAll("[data-testid=attempt-row]")];
      return rows.length > 0 && rows.every((row) => row.textContent.includes(id) && row.textContent.includes("failed"));
    },
    input.event_ids[0],
  );

  // The payload, in a dialog that Escape closes; then resend that event.
  const view = page.getByRole("button", { name: new RegExp(`^View event ${input.event_ids[0]}`) }).first();
  await view.click();
  const dialog = await visible(page.getByRole("dialog"));
  const payload = await visible(dialog.getByTestId("payload"));
  assert.match(await payload.textContent(), new RegExp(input.event_ids[0]));
  await shot(page, "delivery-payload", { fullPage: false });
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  await view.click();
  await visible(page.getByRole("dialog").getByTestId("payload"));
  await page.getByRole("dialog").getByRole("button", { name: "Resend" }).click();
  await visible(page.getByRole("dialog").getByText("Sent again"));
  await page.keyboard.press("Escape");

  // Dead letters: one redriven alone, then all the others.
  await page.getByRole("navigation", { name: "Endpoint sections" }).getByRole("link", { name: "Dead letters" }).click();
  const letters = page.getByTestId("dead-letter");
  await visible(letters);
  assert.equal(await letters.count(), input.event_ids.length);
  await visible(letters.first().getByText("retries exhausted"));
  await shot(page, "dead-letters", { docs: true });
  await page.getByRole("button", { name: `Redrive ${input.event_ids[0]}` }).click();
  await visible(page.getByText("Redriven 1 dead letter:"));
  await page.waitForFunction((count) => document.querySelectorAll("[data-testid=dead-letter]").length === count, input.event_ids.length - 1);
  await page.getByRole("button", { name: "Redrive all" }).click();
  await visible(page.getByText(`Redriven ${input.event_ids.length - 1} dead letter`));
  await visible(page.getByText("No dead letters."));

  await page.getByRole("navigation", { name: "Endpoint sections" }).getByRole("link", { name: "Overview" }).click();
  // Replay since an hour ago (the viewer's local time): both events go again.
  const hourAgo = await page.evaluate(() => {
    const at = new Date(Date.now() - 3600_000);
    const pad = (value) => String(value).padStart(2, "0");
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  });
  await page.getByLabel("Since (your local time)").fill(hourAgo);
  await page.getByRole("button", { name: "Replay", exact: true }).click();
  await visible(page.getByText(`Replayed ${input.event_ids.length} event(s)`));
  return {};
});

// The portal in a frame of the SaaS's own page: shown when the page's origin is one the operator
// listed (`--portal-frame-ancestors`), where it works as on its own (and keeps its session when
// the page is reloaded, though the frame's address still carries the used code); refused by the
// browser (CSP frame-ancestors) for any other origin.
//
// Input: url and other_url (portal links), listed_port (the listed origin's port on 127.0.0.1,
// same site as the portal), unlisted_port. The pages are served here.
import http from "node:http";
import { assert, expectProblems, input, newPage, scenario, shot, visible } from "./lib.mjs";

function saasPage(port) {
  const server = http.createServer((request, response) => {
    const src = new URL(request.url, "http://x").searchParams.get("portal") ?? "";
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(
      `<!doctype html><title>The SaaS</title><h1>Your webhooks</h1>` +
        `<iframe title="Webhook portal" src="${src.replace(/"/g, "&quot;")}" width="1000" height="800"></iframe>`,
    );
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

// The unlisted page's frame is refused on purpose.
expectProblems(/frame-ancestors/);

await scenario("embedded", async (browser) => {
  const servers = [await saasPage(input.listed_port), await saasPage(input.unlisted_port)];
  try {
    const { page } = await newPage(browser);
    await page.goto(`http://127.0.0.1:${input.listed_port}/?portal=${encodeURIComponent(input.url)}`);
    const frame = page.frameLocator("iframe[title='Webhook portal']");
    await visible(frame.getByRole("heading", { name: "Endpoints", level: 1 }));
    await visible(frame.getByRole("link", { name: "Add endpoint" }));
    await shot(page, "embedded");
    // Reloaded: the frame's address still has the used code; the session carries on.
    await page.reload();
    await visible(frame.getByRole("heading", { name: "Endpoints", level: 1 }));

    // Another origin: the browser refuses the frame (the CSP's frame-ancestors) and says so.
    const other = await newPage(browser);
    const violation = other.page.waitForEvent("console", {
      predicate: (message) => /frame-ancestors/.test(message.text()),
    });
    await other.page.goto(`http://127.0.0.1:${input.unlisted_port}/?portal=${encodeURIComponent(input.other_url)}`);
    await visible(other.page.getByRole("heading", { name: "Your webhooks" }));
    await violation;
    const framed = other.page.frameLocator("iframe[title='Webhook portal']");
    assert.equal(await framed.getByRole("heading").count(), 0, "an unlisted origin shows the portal in a frame");
    return {};
  } finally {
    for (const server of servers) server.close();
  }
});

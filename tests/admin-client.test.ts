// The admin extensions' client (extensions/shared/admin-api.ts): what a block gets back from each
// kind of answer, including none at all. The fetch is the test's, as the admin's global would be.
import { describe, expect, it } from "vitest";
import { ADMIN_PATHS, createAdminClient, orderGid } from "../extensions/shared/admin-api";

const GID = "gid://shopify/Order/450789469";

function clientAnswering(answer: (url: string, init?: RequestInit) => Promise<Response>) {
  const seen: { url: string; init?: RequestInit }[] = [];
  const client = createAdminClient({
    fetch: (url, init) => {
      seen.push({ url, init });
      return answer(url, init);
    },
    baseUrl: "https://orderlane.example/",
    timeoutMs: 200,
  });
  return { client, seen };
}

describe("the admin extensions' client", () => {
  it("calls the documented paths with the GID encoded, and hands back the data", async () => {
    const { client, seen } = clientAnswering(async () =>
      Response.json({ total: 1, submitted: 1, results: [] }),
    );
    const result = await client.bulkSubmit([GID]);
    expect(result).toMatchObject({ ok: true, status: 200, data: { submitted: 1 } });
    await client.runAction(GID, "hold");
    await client.getOrder(GID);
    expect(seen.map((s) => [s.init?.method, s.url])).toEqual([
      ["POST", "https://orderlane.example/api/admin/bulk-submit"],
      [
        "POST",
        "https://orderlane.example/api/admin/orders/gid%3A%2F%2Fshopify%2FOrder%2F450789469/actions/hold",
      ],
      ["GET", `https://orderlane.example${ADMIN_PATHS.order(GID)}`],
    ]);
    expect(JSON.parse(String(seen[0]!.init?.body))).toEqual({ orders: [GID] });
  });

  it("passes the backend's error on as it is, with its status", async () => {
    const { client } = clientAnswering(async () =>
      Response.json(
        { error: { code: "refused", message: "Archived orders are never submitted" } },
        { status: 409 },
      ),
    );
    expect(await client.runAction(GID, "submit")).toEqual({
      ok: false,
      status: 409,
      code: "refused",
      message: "Archived orders are never submitted",
    });
  });

  it("says the session ended on a bare 401, and that Orderlane is not answering on a bare 502", async () => {
    let status = 401;
    const { client } = clientAnswering(async () => new Response(null, { status }));
    expect(await client.getOrder(GID)).toMatchObject({
      ok: false,
      status: 401,
      code: "unauthorized",
      message: expect.stringMatching(/session/i),
    });
    status = 502;
    expect(await client.getOrder(GID)).toMatchObject({
      ok: false,
      status: 502,
      code: "unavailable",
      message: expect.stringMatching(/not answering/),
    });
  });

  it("gives up on a backend that never answers, and on one that cannot be reached", async () => {
    const hanging = clientAnswering(() => new Promise<Response>(() => {}));
    const started = Date.now();
    expect(await hanging.client.getOrder(GID)).toMatchObject({
      ok: false,
      status: 0,
      code: "timeout",
    });
    // Within its timeout (200 ms), with room for a busy machine.
    expect(Date.now() - started).toBeLessThan(5_000);

    const down = clientAnswering(() => Promise.reject(new TypeError("fetch failed")));
    expect(await down.client.importOrder(GID)).toMatchObject({
      ok: false,
      status: 0,
      code: "network",
    });
  });

  it("makes an order GID from what the admin hands an extension", () => {
    expect(orderGid(450789469)).toBe(GID);
    expect(orderGid("450789469")).toBe(GID);
    expect(orderGid(GID)).toBe(GID);
  });
});

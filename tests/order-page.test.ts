import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orders, providers, shops, submissions } from "~/db/schema";
import { startCartSimulator } from "~/demo/cart-simulator.server";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import type { Shop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp, shopifySessionToken } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { orderState, personalisedOrder } from "./support/fulfillment";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
let shop: Shop;

beforeAll(async () => {
  app = await startTestApp({ demo: true });
  // The demo owner acts for the demo shop; nothing is sent (no worker runs in this file).
  shop = await createShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN });
  await app.ctx.db.insert(providers).values({
    shopId: shop.id,
    kind: "sandbox",
    name: "Sandbox Printer",
    endpoint: "http://127.0.0.1:9",
    isDefault: true,
  });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

function post(orderId: string, fields: Record<string, string>) {
  return app.fetch(`/app/orders/${orderId}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

const necklace = {
  sku: "NECK-GOLD",
  title: "Name Necklace",
  style: "Gold",
  quantity: 1,
  price: "39.00",
  mockupUrl: "/demo/mockup-necklace.svg",
  personalization: {
    previewUrl: "/demo/preview-necklace.svg",
    designUrl: "https://files.example.com/designs/ana.png",
    clientImages: ["/demo/photo-dog.svg"],
    options: [
      { name: "Name", value: "Ana" },
      { name: "Font", value: "Script" },
    ],
  },
};

async function itemOf(orderId: string) {
  const [item] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, orderId));
  return item!;
}

describe("the order page", () => {
  it("shows the order's items, personalisation, totals and countdown", async () => {
    const deadline = new Date(Date.now() + 20 * 60_000);
    const order = await createOrder(
      app.ctx.db,
      shop,
      {
        cartOrderNumber: "#4242",
        subtotal: "39.00",
        shippingTotal: "4.99",
        taxTotal: "3.12",
        total: "47.11",
        currency: "EUR",
        shippingMethod: "Standard",
        autoSubmitAt: deadline,
      },
      [necklace],
    );
    const res = await app.fetch(`/app/orders/${order.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of [
      "Order #4242",
      "Name Necklace",
      "SKU NECK-GOLD",
      "Script",
      "View Design",
      "https://files.example.com/designs/ana.png",
      "€47.11",
      "€4.99",
      "Standard",
      "Submit Order",
      "Submits automatically in",
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain(deadline.toISOString());
  });

  it("answers 404 for another shop's order, a missing one and a malformed id", async () => {
    const other = await createShop(app.ctx.db, { domain: "someone-else.myshopify.com" });
    const theirs = await createOrder(app.ctx.db, other, { customerName: "Not Your Customer" });
    for (const id of [theirs.id, randomUUID(), "not-an-order"]) {
      const res = await app.fetch(`/app/orders/${id}`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("Order not found");
      expect(html).not.toContain("Not Your Customer");
    }
    // Nor can the owner act on it.
    const res = await post(theirs.id, { intent: "submit" });
    expect(res.status).toBe(404);
    expect((await orderState(app.ctx, theirs.id)).order.state).toBe("new");
  });

  it("refuses a request the page never makes", async () => {
    const order = await createOrder(app.ctx.db, shop);
    const res = await post(order.id, { intent: "launch-rocket" });
    expect(res.status).toBe(400);
    const bad = await post(order.id, { intent: "action", action: "edit", input: "{not json" });
    expect(bad.status).toBe(400);
  });
});

describe("Edit Design", () => {
  it("saves new option values and design file before submission, as a manual edit with the owner's name", async () => {
    const order = await createOrder(app.ctx.db, shop, {}, [necklace]);
    const res = await post(order.id, {
      intent: "design",
      cartLineId: "1",
      designUrl: "https://files.example.com/designs/anna.png",
      options: JSON.stringify([
        { name: "Name", value: "Anna" },
        { name: "Font", value: "Script" },
      ]),
    });
    expect(res.status).toBe(200);
    const item = await itemOf(order.id);
    expect(item.personalization).toMatchObject({
      designUrl: "https://files.example.com/designs/anna.png",
      options: [
        { name: "Name", value: "Anna" },
        { name: "Font", value: "Script" },
      ],
      previewUrl: "/demo/preview-necklace.svg",
    });
    const { order: stored, timeline } = await orderState(app.ctx, order.id);
    const edit = stored.manualEdits?.["lineItem:1:personalization"];
    expect(edit).toMatchObject({
      from: {
        options: [
          { name: "Name", value: "Ana" },
          { name: "Font", value: "Script" },
        ],
        designUrl: "https://files.example.com/designs/ana.png",
      },
      to: {
        options: [
          { name: "Name", value: "Anna" },
          { name: "Font", value: "Script" },
        ],
      },
      by: "Demo owner",
    });
    const event = timeline.find((e) => e.action === "edit");
    expect(event).toMatchObject({ actor: "owner", actorName: "Demo owner" });
    expect(event?.message).toContain('Name "Ana" → "Anna"');
    expect(event?.message).toContain("design file changed");

    // A second edit keeps what the cart sent as `from`, so Reset still restores the customer's text.
    await post(order.id, {
      intent: "design",
      cartLineId: "1",
      options: JSON.stringify([
        { name: "Name", value: "Annie" },
        { name: "Font", value: "Script" },
      ]),
    });
    const again = (await orderState(app.ctx, order.id)).order.manualEdits;
    expect(again?.["lineItem:1:personalization"]).toMatchObject({
      from: {
        options: [
          { name: "Name", value: "Ana" },
          { name: "Font", value: "Script" },
        ],
      },
      to: {
        options: [
          { name: "Name", value: "Annie" },
          { name: "Font", value: "Script" },
        ],
      },
    });
  });

  it("refuses a design file that is not https, an empty option and an unknown option, changing nothing", async () => {
    const order = await createOrder(app.ctx.db, shop, {}, [necklace]);
    for (const [fields, field] of [
      [{ designUrl: "http://files.example.com/x.png" }, "https://"],
      [{ designUrl: "javascript:alert(1)" }, "https://"],
      [{ options: JSON.stringify([{ name: "Name", value: "   " }]) }, "Name cannot be empty"],
      [{ options: JSON.stringify([{ name: "Name", value: "x".repeat(501) }]) }, "longer than 500"],
      [
        { options: JSON.stringify([{ name: "Colour", value: "Red" }]) },
        "Colour is not one of this item's options",
      ],
    ] as const) {
      const res = await post(order.id, { intent: "design", cartLineId: "1", ...fields });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(field);
    }
    expect((await itemOf(order.id)).personalization).toEqual(necklace.personalization);
    const { order: stored, timeline } = await orderState(app.ctx, order.id);
    expect(stored.manualEdits).toBeNull();
    expect(timeline).toHaveLength(0);
  });

  it("accepts the app's own design files, by path or by the app's own address, and refuses other hosts' paths", async () => {
    const order = await createOrder(app.ctx.db, shop, {}, [necklace]);
    const res = await post(order.id, {
      intent: "design",
      cartLineId: "1",
      designUrl: "/demo/design-name.svg",
    });
    expect(res.status).toBe(200);
    expect((await itemOf(order.id)).personalization?.designUrl).toBe("/demo/design-name.svg");
    // The file the page links is one the app serves.
    expect((await app.fetch("/demo/design-name.svg")).status).toBe(200);

    const full = await post(order.id, {
      intent: "design",
      cartLineId: "1",
      designUrl: `${app.ctx.config.publicUrl}/demo/design-necklace.svg`,
    });
    expect(full.status).toBe(200);
    expect((await itemOf(order.id)).personalization?.designUrl).toBe("/demo/design-necklace.svg");

    for (const designUrl of [
      "//files.example.com/x.png",
      "/\\files.example.com/x.png",
      "http://127.0.0.1:9/x.png",
      "demo/design-name.svg",
    ]) {
      const refused = await post(order.id, { intent: "design", cartLineId: "1", designUrl });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("one of the app's own files");
    }
    expect((await itemOf(order.id)).personalization?.designUrl).toBe("/demo/design-necklace.svg");
  });

  it("answers 404 for an item the order does not have", async () => {
    const order = await createOrder(app.ctx.db, shop, {}, [necklace]);
    const res = await post(order.id, { intent: "design", cartLineId: "99", options: "[]" });
    expect(res.status).toBe(404);
  });

  it("is refused after submission with the lifecycle's reason, and nothing changes", async () => {
    const order = await createOrder(app.ctx.db, shop, { state: "open" }, [necklace]);
    const res = await post(order.id, {
      intent: "design",
      cartLineId: "1",
      options: JSON.stringify([{ name: "Name", value: "Anna" }]),
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(
      "This order was already sent to providers; an edit would not reach them.",
    );
    expect((await itemOf(order.id)).personalization).toEqual(necklace.personalization);
    expect((await orderState(app.ctx, order.id)).order.manualEdits).toBeNull();
  });
});

describe("Submit Order", () => {
  it("submits once; a second Submit is refused with the lifecycle's reason", async () => {
    const order = await personalisedOrder(app.ctx, shop);
    const first = await post(order.id, { intent: "submit" });
    expect(first.status).toBe(200);
    const after = await orderState(app.ctx, order.id);
    expect(after.order.state).toBe("open");
    expect(after.submissions).toHaveLength(1);
    expect(after.timeline.at(-1)).toMatchObject({
      action: "submit",
      actor: "owner",
      actorName: "Demo owner",
    });

    const second = await post(order.id, { intent: "submit" });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain(
      "This order was already submitted; an order is never submitted twice.",
    );
    const rows = await app.ctx.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.orderId, order.id), eq(submissions.shopId, shop.id)));
    expect(rows).toHaveLength(1);

    // The page now shows the button disabled with that reason.
    const html = await (await app.fetch(`/app/orders/${order.id}`)).text();
    expect(html).toContain("an order is never submitted twice");
  });

  it("refuses an unpaid order with the cart's words, changing nothing", async () => {
    const order = await createOrder(app.ctx.db, shop, {
      cartStatus: "pending_payment",
      cartStatusRaw: "pending",
    });
    const res = await post(order.id, { intent: "submit" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("The cart says this order is awaiting payment");
    const after = await orderState(app.ctx, order.id);
    expect(after.order.state).toBe("new");
    expect(after.submissions).toHaveLength(0);
  });
});

describe("pausing the countdown", () => {
  it("holds with the time left and resumes from it", async () => {
    const order = await createOrder(app.ctx.db, shop, {
      autoSubmitAt: new Date(Date.now() + 10 * 60_000),
    });
    const held = await post(order.id, { intent: "hold" });
    expect(held.status).toBe(200);
    const paused = (await orderState(app.ctx, order.id)).order;
    expect(paused.state).toBe("on_hold");
    expect(paused.autoSubmitAt).toBeNull();
    expect(paused.autoSubmitRemainingMs).toBeGreaterThan(9 * 60_000);
    const page = await (await app.fetch(`/app/orders/${order.id}`)).text();
    expect(page).toMatch(/Paused — (09|10):\d\d left/);

    const again = await post(order.id, { intent: "hold" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("This order is already on hold.");

    const released = await post(order.id, { intent: "release" });
    expect(released.status).toBe(200);
    const resumed = (await orderState(app.ctx, order.id)).order;
    expect(resumed.state).toBe("new");
    const left = resumed.autoSubmitAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(8 * 60_000);
    expect(left).toBeLessThanOrEqual(paused.autoSubmitRemainingMs!);
  });
});

describe("the Actions menu", () => {
  it("offers the lifecycle table's owner actions, with the reason for each refused one", async () => {
    const order = await createOrder(app.ctx.db, shop, { state: "open" });
    const res = await app.fetch(`/app/orders/${order.id}`);
    const html = await res.text();
    // Open: Reprocess refused with the table's reason; the page carries it for the menu.
    expect(html).toContain("reprocessing it would submit it twice");
    expect(html).toContain("an edit would not reach them");
  });

  it("shows the refusal of an action the lifecycle does not allow, changing nothing", async () => {
    const order = await createOrder(app.ctx.db, shop, { state: "new" });
    const res = await post(order.id, { intent: "action", action: "reprocess" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("This order has not been processed yet");
    expect((await orderState(app.ctx, order.id)).order.state).toBe("new");
  });

  it("refuses an action that is not an owner action", async () => {
    const order = await createOrder(app.ctx.db, shop, { state: "open" });
    const res = await post(order.id, { intent: "action", action: "close" });
    expect(res.status).toBe(400);
    expect((await orderState(app.ctx, order.id)).order.state).toBe("open");
  });

  it("brings an Error order back with Reprocess and says so", async () => {
    const order = await createOrder(app.ctx.db, shop, {
      state: "error",
      cartStatus: "pending_payment",
      alert: { code: "provider_rejected", message: "Rejected", fix: "Fix it" },
    });
    const page = await (await app.fetch(`/app/orders/${order.id}`)).text();
    expect(page).toContain("Rejected");
    expect(page).toContain("Fix it");
    const res = await post(order.id, { intent: "action", action: "reprocess" });
    expect(res.status).toBe(200);
    const after = (await orderState(app.ctx, order.id)).order;
    expect(after.state).toBe("new");
    expect(after.alert).toBeNull();
  });
});

describe("the status control", () => {
  it("puts the order on hold in the demo cart, stores the cart's new status and records both on the timeline", async () => {
    const order = await createOrder(app.ctx.db, shop, {
      autoSubmitAt: new Date(Date.now() + 15 * 60_000),
    });
    // The demo shop's cart: the cart simulator, holding this order as the cart has it.
    const sim = await startCartSimulator({
      port: 0,
      appUrl: app.url,
      shopify: { shop: "unused.myshopify.com", accessToken: "unused", orders: [] },
      woo: { consumerKey: "unused", consumerSecret: "unused", orders: [] },
      demoShop: {
        name: "Demo shop",
        products: [],
        orders: [
          {
            cartOrderId: order.cartOrderId,
            cartOrderNumber: order.cartOrderNumber,
            cartStatusRaw: "processing",
            cartStatus: "processing",
            customerName: order.customerName,
            customerEmail: null,
            billingAddress: null,
            shippingAddress: null,
            currency: order.currency,
            subtotal: order.total,
            shippingTotal: "0.00",
            taxTotal: "0.00",
            total: order.total,
            paymentMethod: null,
            shippingMethod: null,
            sourceChannel: null,
            note: null,
            cartCreatedAt: order.cartCreatedAt,
            cartUpdatedAt: order.cartUpdatedAt,
            lineItems: [],
            payments: [],
            raw: {},
          },
        ],
      },
    });
    await app.ctx.db
      .update(shops)
      .set({ connection: { storeUrl: `${sim.url}/demo-cart` } })
      .where(eq(shops.id, shop.id));
    const res = await post(order.id, { intent: "status", change: "hold" });
    expect(res.status).toBe(200);
    const inCart = (await (
      await fetch(`${sim.url}/demo-cart/api/orders/${order.cartOrderId}`)
    ).json()) as { cartStatus: string };
    expect(inCart.cartStatus).toBe("on_hold");
    await sim.close();
    const { order: after, timeline } = await orderState(app.ctx, order.id);
    expect(after).toMatchObject({
      cartStatus: "on_hold",
      cartStatusRaw: "paid, on_hold",
      state: "on_hold",
      autoSubmitAt: null,
    });
    expect(after.autoSubmitRemainingMs).toBeGreaterThan(14 * 60_000);
    expect(after.autoSubmitRemainingMs).toBeLessThanOrEqual(15 * 60_000);
    // Both entries are written in one transaction, so they share a time: compared as a set.
    expect(timeline).toHaveLength(2);
    expect(timeline.find((e) => e.action === "cart_hold")).toMatchObject({
      actor: "owner",
      actorName: "Demo owner",
      message: "Put on hold in the cart (in the cart: Paid → Paid · On hold)",
    });
    expect(timeline.find((e) => e.action === "hold")).toMatchObject({
      actor: "owner",
      actorName: "Demo owner",
      fromState: "new",
      toState: "on_hold",
    });
    expect(timeline.find((e) => e.action === "hold")?.message).toMatch(
      /^Countdown paused with (14 min \d\d?|15 min 0) s left$/,
    );

    // Asked again, the lifecycle refuses before the cart is asked, and nothing more is stored.
    const again = await post(order.id, { intent: "status", change: "hold" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("This order is already on hold.");
    const still = await orderState(app.ctx, order.id);
    expect(still.order.cartStatusRaw).toBe("paid, on_hold");
    expect(still.timeline).toHaveLength(2);
  });

  it("refuses an unknown status change", async () => {
    const order = await createOrder(app.ctx.db, shop);
    const res = await post(order.id, { intent: "status", change: "teleport" });
    expect(res.status).toBe(400);
  });
});

describe("Delete from the order page", () => {
  it("lands on the catalog, which names the order it deleted", async () => {
    const order = await createOrder(app.ctx.db, shop);
    const res = await app.fetch(`/app/orders/${order.id}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "action", action: "delete" }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!, app.url);
    expect(location.pathname).toBe("/app");
    const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row).toBeUndefined();

    const catalog = await app.fetch(`${location.pathname}${location.search}`);
    expect(catalog.status).toBe(200);
    const html = await catalog.text();
    expect(html).toContain(`Order ${order.cartOrderNumber} deleted`);
    expect(html).toContain("A later import brings it back if your store still has it.");
  });

  it("the catalog shows no notice for a value it does not know, nor the value itself", async () => {
    const plain = await (await app.fetch("/app")).text();
    expect(plain).not.toContain("Polaris-Banner");
    for (const notice of [
      "order_archived",
      "Deleted every order of yours",
      "<b>Hacked</b>",
      "constructor",
      "__proto__",
    ]) {
      const res = await app.fetch(`/app?${new URLSearchParams({ notice })}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html, notice).not.toContain("Polaris-Banner");
      expect(html, notice).not.toContain("Order deleted");
      expect(html, notice).not.toContain("Deleted every order of yours");
      expect(html, notice).not.toContain("Hacked");
    }
    // An order number is shown only when it looks like one.
    const odd = await app.fetch(
      `/app?${new URLSearchParams({ notice: "order_deleted", order: "<b>Hacked</b> and more" })}`,
    );
    const oddHtml = await odd.text();
    expect(oddHtml).toContain("Order deleted");
    expect(oddHtml).not.toContain("Hacked");
  });
});

describe("orders of the same number elsewhere", () => {
  it("never lets one shop's page read another's items", async () => {
    const other = await createShop(app.ctx.db, { domain: "third-shop.myshopify.com" });
    const theirs = await createOrder(app.ctx.db, other, {}, [{ title: "Secret Mug" }]);
    const res = await post(theirs.id, {
      intent: "design",
      cartLineId: "1",
      options: JSON.stringify([{ name: "Name", value: "Hacked" }]),
    });
    expect(res.status).toBe(404);
    expect((await itemOf(theirs.id)).personalization).toMatchObject({
      options: [{ name: "Name", value: "Ava" }],
    });
    const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, theirs.id));
    expect(row?.manualEdits).toBeNull();
  });
});

describe("the order page inside the Shopify admin", () => {
  let embedded: TestApp;
  beforeAll(async () => {
    embedded = await startTestApp();
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await embedded?.close();
  });

  // Shopify's library answers self-identified bots (Node's fetch among them) with 410.
  const asBrowser = { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0" } };

  it("loads App Bridge, opens the cart's editor in the admin's top frame and keeps Force Delete for admins", async () => {
    const shopify = await createShop(embedded.ctx.db, { domain: "embedded-orders.myshopify.com" });
    await createSession(embedded.ctx.db, shopify.domain);
    const order = await createOrder(
      embedded.ctx.db,
      shopify,
      { cartOrderNumber: "#7001", cartOrderId: "9007199254740993123" },
      [{ title: "Name Tee", cartProductId: "8123456789012345678" }],
    );
    const host = Buffer.from("admin.shopify.com/store/embedded-orders").toString("base64url");
    const query = `embedded=1&shop=${shopify.domain}&host=${host}&id_token=${shopifySessionToken(shopify.domain)}`;
    const res = await embedded.fetch(`/app/orders/${order.id}?${query}`, asBrowser);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("app-bridge.js");
    expect(html).toContain("Order #7001");
    // Cart ids travel as strings: the 19-digit ids arrive exactly.
    expect(html).toMatch(
      /href="shopify:\/\/admin\/orders\/9007199254740993123"[^>]*target="_top"|target="_top"[^>]*href="shopify:\/\/admin\/orders\/9007199254740993123"/,
    );
    expect(html).toContain("shopify://admin/products/8123456789012345678");
    // The offline session names no account owner, so Force Delete says why it is refused.
    expect(html).toContain("Only account admins can force delete an order.");

    const neighbour = await createShop(embedded.ctx.db, { domain: "neighbour.myshopify.com" });
    const theirs = await createOrder(embedded.ctx.db, neighbour, { customerName: "Demo Customer" });
    const other = await embedded.fetch(`/app/orders/${theirs.id}?${query}`, asBrowser);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("Demo Customer");
  });

  it("Delete inside the admin lands on the catalog with the admin's shop and host kept", async () => {
    const shopify = await createShop(embedded.ctx.db, { domain: "embedded-delete.myshopify.com" });
    await createSession(embedded.ctx.db, shopify.domain);
    const order = await createOrder(embedded.ctx.db, shopify);
    const host = Buffer.from("admin.shopify.com/store/embedded-delete").toString("base64url");
    // App Bridge's fetch: the page's own query on the address, its session token in the header.
    const res = await embedded.fetch(
      `/app/orders/${order.id}?embedded=1&shop=${shopify.domain}&host=${host}`,
      {
        method: "POST",
        headers: {
          ...asBrowser.headers,
          Authorization: `Bearer ${shopifySessionToken(shopify.domain)}`,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ intent: "action", action: "delete" }).toString(),
        redirect: "manual",
      },
    );
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!, embedded.url);
    expect(location.pathname).toBe("/app");
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      notice: "order_deleted",
      shop: shopify.domain,
      host,
      embedded: "1",
    });
    const [row] = await embedded.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row).toBeUndefined();
  });
});

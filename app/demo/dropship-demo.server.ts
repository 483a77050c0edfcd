// The demo's drop-shipping: two distributors whose feeds the demo serves itself (East Coast Supply
// over FTP, West Wholesale over SFTP, on loopback), carrying overlapping SKUs, West with a 3-day
// lead time on some; and orders in the demo shop whose items are eligible, not eligible for each
// reason, or carried by both distributors (swappable). Purchase orders on them are seeded by the
// purchase-order side of the demo.
import { and, eq, inArray } from "drizzle-orm";
import type { NormalizedOrder } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import { distributorFeeds, orders, providers } from "~/db/schema";
import { runFeed } from "~/fulfillment/dropship/feed-runs.server";
import type { FeedColumns, FeedProtocol } from "~/fulfillment/dropship/feed-settings";
import { ingestCartOrders } from "~/orders/ingest.server";
import { sealSecret } from "~/security/encryption.server";
import { findShop } from "~/shops/shops.server";
import { DEMO_SHOP_DOMAIN } from "./constants";
import { seedDemoPurchaseOrders } from "./dropship-orders-demo.server";
import {
  startFtpFeedServer,
  startSftpFeedServer,
  type RunningFeedServer,
} from "./feed-servers.server";

/** The demo feed servers' login: demo only, on loopback. */
export const DEMO_FEED_USER = "orderlane-demo";
export const DEMO_FEED_PASSWORD = "demo-feed-password";

interface DemoFeedItem {
  sku: string;
  stock: number;
  cost: string;
  lead: number;
  warehouse: string;
  name: string;
}

export interface DemoDistributor {
  key: "east" | "west";
  name: string;
  protocol: Extract<FeedProtocol, "ftp" | "sftp">;
  path: string;
  columns: FeedColumns;
  items: DemoFeedItem[];
}

/** The products the demo's drop-ship orders sell, by shop SKU. */
export const DEMO_DROPSHIP_PRODUCTS = {
  mug: { sku: "DS-MUG-11", title: "Ceramic mug, 11 oz", price: "14.00" },
  candle: { sku: "DS-CANDLE-8", title: "Soy candle, 8 oz", price: "18.00" },
  lamp: { sku: "DS-LAMP-BRASS", title: "Brass desk lamp", price: "89.00" },
  rug: { sku: "DS-RUG-JUTE-46", title: "Jute rug, 4 × 6 ft", price: "129.00" },
  throw: { sku: "DS-THROW-WOOL", title: "Wool throw, grey", price: "74.00" },
  vase: { sku: "DS-VASE-TALL", title: "Tall glass vase", price: "39.00" },
} as const;

const P = DEMO_DROPSHIP_PRODUCTS;

export const DEMO_DISTRIBUTORS: readonly DemoDistributor[] = [
  {
    key: "east",
    name: "East Coast Supply",
    protocol: "ftp",
    path: "/outgoing/inventory.csv",
    columns: {
      sku: "sku",
      stock: "qty_available",
      cost: "unit_cost",
      leadTimeDays: "lead_days",
      warehouse: "warehouse",
      productName: "description",
    },
    items: [
      {
        sku: P.mug.sku,
        stock: 120,
        cost: "3.10",
        lead: 1,
        warehouse: "NJ",
        name: "Mug 11oz white",
      },
      { sku: P.rug.sku, stock: 1, cost: "61.00", lead: 1, warehouse: "NJ", name: "Jute rug 4x6" },
      {
        sku: P.vase.sku,
        stock: 6,
        cost: "11.20",
        lead: 1,
        warehouse: "NJ",
        name: "Vase glass tall",
      },
      {
        sku: "DS-PLANTER-S",
        stock: 44,
        cost: "7.80",
        lead: 1,
        warehouse: "NJ",
        name: "Planter small",
      },
    ],
  },
  {
    key: "west",
    name: "West Wholesale",
    protocol: "sftp",
    path: "/feeds/stock.csv",
    columns: {
      sku: "SKU",
      stock: "Stock",
      cost: "Cost",
      leadTimeDays: "LeadTime",
      warehouse: "Warehouse",
      productName: "Name",
    },
    items: [
      {
        sku: P.mug.sku,
        stock: 80,
        cost: "2.95",
        lead: 1,
        warehouse: "CA",
        name: "11oz Ceramic Mug",
      },
      {
        sku: P.candle.sku,
        stock: 300,
        cost: "4.40",
        lead: 1,
        warehouse: "CA",
        name: "Soy Candle 8oz",
      },
      { sku: P.rug.sku, stock: 0, cost: "58.00", lead: 1, warehouse: "CA", name: "Jute Rug 4x6" },
      // West's made-to-order lines: in stock, but three days before they leave.
      {
        sku: P.lamp.sku,
        stock: 15,
        cost: "31.00",
        lead: 3,
        warehouse: "NV",
        name: "Desk Lamp Brass",
      },
      { sku: P.vase.sku, stock: 40, cost: "9.90", lead: 3, warehouse: "NV", name: "Tall Vase" },
    ],
  },
];

/** A distributor's feed file, in its own column names. */
export function demoFeedCsv(distributor: DemoDistributor): string {
  const c = distributor.columns;
  const header = [c.sku, c.stock, c.cost, c.leadTimeDays, c.warehouse, c.productName].join(",");
  const rows = distributor.items.map((i) =>
    [i.sku, i.stock, i.cost, i.lead, i.warehouse, `"${i.name}"`].join(","),
  );
  return `${header}\r\n${rows.join("\r\n")}\r\n`;
}

function demoFiles(path: string): string | null {
  const distributor = DEMO_DISTRIBUTORS.find((d) => d.path === path);
  return distributor ? demoFeedCsv(distributor) : null;
}

const MINUTE = 60_000;

/**
 * The demo shop's drop-ship orders, as its cart has them (web orders, so no countdown runs): one
 * per case the order page explains, and two for purchase orders (one that ships, one overdue).
 */
export function dropshipDemoCartOrders(seededAt: Date): NormalizedOrder[] {
  const plans: {
    n: number;
    ageMinutes: number;
    customer: [string, string, string, string, string];
    items: [keyof typeof P, number][];
  }[] = [
    // Every item eligible; the mug is carried by both distributors (swappable).
    {
      n: 2001,
      ageMinutes: 95,
      customer: ["Nora Whitfield", "44 Birch Lane", "Albany", "NY", "12203"],
      items: [
        ["mug", 2],
        ["candle", 1],
      ],
    },
    // Lead time: only West carries the lamp, three days out.
    {
      n: 2002,
      ageMinutes: 180,
      customer: ["Diego Marin", "9 Harbor View", "San Diego", "CA", "92101"],
      items: [["lamp", 1]],
    },
    // Out of stock: East has one rug, West none; two were ordered.
    {
      n: 2003,
      ageMinutes: 260,
      customer: ["Priya Raman", "310 Elm St", "Columbus", "OH", "43215"],
      items: [["rug", 2]],
    },
    // Not carried by any distributor.
    {
      n: 2004,
      ageMinutes: 400,
      customer: ["Tomás Ruiz", "17 Pine Ct", "Austin", "TX", "78701"],
      items: [["throw", 1]],
    },
    // Mixed: the vase ships from East only (West's is three days out); the mug from either.
    {
      n: 2005,
      ageMinutes: 520,
      customer: ["Hannah Okafor", "2 Quay Rd", "Portland", "ME", "04101"],
      items: [
        ["vase", 1],
        ["mug", 1],
      ],
    },
    // For purchase orders: one that ships, one placed seven weeks ago and never shipped (overdue).
    {
      n: 2006,
      ageMinutes: 3 * 24 * 60,
      customer: ["Lena Fischer", "81 Lake Shore Dr", "Chicago", "IL", "60611"],
      items: [["mug", 4]],
    },
    {
      n: 2007,
      ageMinutes: 49 * 24 * 60,
      customer: ["Owen Brady", "5 Mill Rd", "Burlington", "VT", "05401"],
      items: [["candle", 2]],
    },
  ];
  return plans.map((plan) => {
    const at = new Date(Math.floor((seededAt.getTime() - plan.ageMinutes * MINUTE) / 1000) * 1000);
    const [name, address1, city, province, zip] = plan.customer;
    const address = {
      name,
      address1,
      city,
      province,
      zip,
      country: "United States",
      countryCode: "US",
    };
    const subtotal = plan.items.reduce((sum, [key, qty]) => sum + Number(P[key].price) * qty, 0);
    return {
      cartOrderId: `ds-${plan.n}`,
      cartOrderNumber: `#${plan.n}`,
      cartStatusRaw: "paid",
      cartStatus: "processing",
      customerName: name,
      customerEmail: `${name.split(" ")[0]!.toLowerCase()}@example.com`,
      billingAddress: address,
      shippingAddress: address,
      currency: "USD",
      subtotal: subtotal.toFixed(2),
      shippingTotal: "0.00",
      taxTotal: "0.00",
      total: subtotal.toFixed(2),
      paymentMethod: "Credit card",
      shippingMethod: "Standard",
      sourceChannel: "web",
      note: null,
      cartCreatedAt: at,
      cartUpdatedAt: at,
      lineItems: plan.items.map(([key, qty], i) => ({
        cartLineId: `ds-${plan.n}-${i + 1}`,
        sku: P[key].sku,
        title: P[key].title,
        style: null,
        quantity: qty,
        price: P[key].price,
        mockupUrl: null,
        cartProductId: P[key].sku.toLowerCase(),
        cartVariantId: P[key].sku,
        productUrl: null,
        personalization: null,
      })),
      payments: [
        {
          kind: "capture",
          amount: subtotal.toFixed(2),
          currency: "USD",
          status: "success",
          gateway: "shopify_payments",
          cartTransactionId: `ds-${plan.n}-pay`,
        },
      ],
      raw: { demo: "dropship", number: plan.n },
    };
  });
}

export interface DemoFeeds {
  ftp: RunningFeedServer;
  sftp: RunningFeedServer;
  close(): Promise<void>;
}

type Ctx = Pick<AppContext, "db" | "config" | "jobs" | "shopify">;

/**
 * Starts the demo's feed servers (ports from DEMO_FEED_FTP_PORT / DEMO_FEED_SFTP_PORT, 0 = any
 * free one), points the demo shop's two distributors at them, stores the drop-ship orders once,
 * and runs each feed once when it never succeeded, so the demo opens with stock in place.
 */
export async function startDemoFeeds(ctx: Ctx): Promise<DemoFeeds | null> {
  const demo = ctx.config.demo;
  if (!demo) return null;
  const shop = await findShop(ctx.db, "demo", DEMO_SHOP_DOMAIN);
  if (!shop) return null;
  const options = { user: DEMO_FEED_USER, password: DEMO_FEED_PASSWORD, files: demoFiles };
  const ftp = await startFtpFeedServer({ ...options, port: demo.feedFtpPort });
  const sftp = await startSftpFeedServer({ ...options, port: demo.feedSftpPort }).catch(
    async (error: unknown) => {
      await ftp.close();
      throw error;
    },
  );
  demo.feedAddresses.splice(
    0,
    demo.feedAddresses.length,
    `ftp://127.0.0.1:${ftp.port}`,
    `sftp://127.0.0.1:${sftp.port}`,
  );

  for (const distributor of DEMO_DISTRIBUTORS) {
    const port = distributor.protocol === "ftp" ? ftp.port : sftp.port;
    const providerId = await ensureDistributor(ctx, shop.id, distributor, port);
    const [feed] = await ctx.db
      .select({ lastSuccessAt: distributorFeeds.lastSuccessAt })
      .from(distributorFeeds)
      .where(eq(distributorFeeds.providerId, providerId));
    if (!feed?.lastSuccessAt) await runFeed(ctx, shop.id, providerId, "schedule");
  }

  const seededAt = shop.connection.demoSeededAt
    ? new Date(shop.connection.demoSeededAt)
    : new Date();
  const planned = dropshipDemoCartOrders(seededAt);
  const stored = await ctx.db
    .select({ id: orders.cartOrderId })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shop.id),
        inArray(
          orders.cartOrderId,
          planned.map((o) => o.cartOrderId),
        ),
      ),
    );
  const have = new Set(stored.map((s) => s.id));
  const missing = planned.filter((o) => !have.has(o.cartOrderId));
  // Once per database, like the rest of the demo: an order the owner deleted stays deleted.
  if (missing.length > 0 && stored.length === 0) {
    await ingestCartOrders(ctx, shop, missing, { source: "import" });
    await seedDemoPurchaseOrders(ctx, shop.id);
  }
  return {
    ftp,
    sftp,
    close: async () => {
      await Promise.all([ftp.close(), sftp.close()]);
    },
  };
}

async function ensureDistributor(
  ctx: Ctx,
  shopId: string,
  distributor: DemoDistributor,
  port: number,
): Promise<string> {
  const [existing] = await ctx.db
    .select({ id: providers.id })
    .from(providers)
    .where(
      and(
        eq(providers.shopId, shopId),
        eq(providers.kind, "distributor"),
        eq(providers.name, distributor.name),
      ),
    )
    .limit(1);
  const credentials = sealSecret(
    ctx.config.encryptionKey,
    JSON.stringify({ username: DEMO_FEED_USER, password: DEMO_FEED_PASSWORD }),
  );
  const providerId =
    existing?.id ??
    (
      await ctx.db
        .insert(providers)
        .values({ shopId, kind: "distributor", name: distributor.name, credentials })
        .returning({ id: providers.id })
    )[0]!.id;
  // The port may differ at each start (0 = any free port): the feed follows its server.
  await ctx.db
    .insert(distributorFeeds)
    .values({
      providerId,
      shopId,
      protocol: distributor.protocol,
      host: "127.0.0.1",
      port,
      path: distributor.path,
      scheduleHour: 6,
      mode: "complete",
      columns: distributor.columns,
    })
    .onConflictDoUpdate({ target: distributorFeeds.providerId, set: { port, host: "127.0.0.1" } });
  return providerId;
}

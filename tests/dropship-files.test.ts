// Purchase-order files to a distributor's real FTP and SFTP folders (servers on loopback), in the
// columns the owner set, and the failures a distributor's server brings: a refused login, a server
// that never answers, a retry of the same purchase order.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDistributorProvider } from "~/fulfillment/adapters/distributor";
import type { ProviderConfig, PurchaseOrder } from "~/fulfillment/provider";
import { startFtpServer, startSftpServer, type TestFileServer } from "./support/file-servers";

const servers: TestFileServer[] = [];
beforeAll(async () => {
  servers.push(await startFtpServer(), await startSftpServer());
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function po(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    poNumber: "PO-1042",
    idempotencyKey: "ol_key_1042",
    orderNumber: "#1042",
    cartOrderId: "1042",
    currency: "USD",
    recipient: {
      name: "Ava Lindqvist",
      company: null,
      address1: "12 Alder St, Apt 3",
      address2: null,
      city: "Portland",
      province: "Oregon",
      provinceCode: "OR",
      zip: "97201",
      country: "United States",
      countryCode: "us",
      phone: null,
      email: "ava@example.com",
    },
    shippingMethod: "Ground",
    callbackUrl: "https://orderlane.test/api/providers/x/events",
    items: [
      {
        lineId: "l1",
        sku: "MUG-11",
        providerProduct: "DIST-MUG-11",
        title: 'Mug "11oz"',
        style: null,
        quantity: 2,
        price: "12.00",
        mockupUrl: null,
        personalization: null,
        personalised: false,
      },
    ],
    ...overrides,
  };
}

function distributor(server: TestFileServer, timeoutMs = 5_000) {
  const config: ProviderConfig = {
    id: "d1",
    shopId: "s1",
    kind: "distributor",
    name: "Northwind Supply",
    endpoint: null,
    credentials: { ordersPassword: server.password },
    signingSecret: null,
    settings: {
      orders: {
        delivery: "file",
        poServer: {
          protocol: server.protocol,
          host: server.host,
          port: server.port,
          username: server.username,
        },
        poFolder: "/inbound/po",
        poColumns: [
          { header: "PONum", field: "po_number" },
          { header: "Item", field: "sku" },
          { header: "Qty", field: "quantity" },
          { header: "Description", field: "title" },
          { header: "ShipTo", field: "name" },
          { header: "Street", field: "address1" },
          { header: "Country", field: "country_code" },
        ],
      },
    },
  };
  return createDistributorProvider(
    config,
    { fetch, now: () => new Date(), timeoutMs },
    { allowPrivate: true },
  );
}

describe.each(["ftp", "sftp"] as const)("purchase-order files over %s", (protocol) => {
  const server = () => servers.find((s) => s.protocol === protocol)!;

  it("uploads one file named for the PO, in the owner's columns, and a retry replaces it", async () => {
    const adapter = distributor(server());
    const signal = AbortSignal.timeout(20_000);
    expect(await adapter.submit(po(), { signal })).toEqual({
      kind: "accepted",
      providerOrderId: "PO-1042",
    });
    expect(await adapter.submit(po(), { signal })).toEqual({
      kind: "accepted",
      providerOrderId: "PO-1042",
    });
    const folder = path.join(server().root, "inbound/po");
    // One file, no leftover temporary: the distributor sees one purchase order.
    expect(readdirSync(folder)).toEqual(["PO-1042.csv"]);
    expect(readFileSync(path.join(folder, "PO-1042.csv"), "utf8")).toBe(
      'PONum,Item,Qty,Description,ShipTo,Street,Country\r\nPO-1042,DIST-MUG-11,2,"Mug ""11oz""",Ava Lindqvist,"12 Alder St, Apt 3",US\r\n',
    );
  });

  it("says the server refused the login, as an outage to retry, and writes nothing", async () => {
    server().refuseLogins(true);
    try {
      const outcome = await distributor(server()).submit(po({ poNumber: "PO-2000" }), {
        signal: AbortSignal.timeout(20_000),
      });
      expect(outcome).toEqual({
        kind: "unavailable",
        reason: `The ${protocol.toUpperCase()} server 127.0.0.1 refused the login`,
      });
      expect(readdirSync(path.join(server().root, "inbound/po"))).not.toContain("PO-2000.csv");
    } finally {
      server().refuseLogins(false);
    }
  });

  it("gives up on a server that never answers, within its time limit", async () => {
    server().hang(true);
    try {
      const started = Date.now();
      const outcome = await distributor(server(), 1_500).submit(po({ poNumber: "PO-3000" }), {
        signal: AbortSignal.timeout(20_000),
      });
      expect(outcome.kind).toBe("unavailable");
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      server().hang(false);
    }
  });
});

describe("the distributor's limits", () => {
  it("refuses an address line longer than the distributor takes, naming it", () => {
    const adapter = distributor(servers[0]!);
    const problems = adapter.validate(
      po({ recipient: { ...po().recipient, address1: "1".repeat(40) } }),
    );
    expect(problems.map((p) => p.field)).toEqual(["address1"]);
    expect(problems[0]!.message).toContain("Northwind Supply");
  });

  it("refuses an address it may not call under the app's policy, for good", async () => {
    const config = {
      id: "d1",
      shopId: "s1",
      kind: "distributor" as const,
      name: "Northwind Supply",
      endpoint: null,
      credentials: {},
      signingSecret: null,
      settings: {
        orders: {
          delivery: "file",
          poServer: { protocol: "sftp", host: "127.0.0.1", port: 22, username: "x" },
        },
      },
    };
    const adapter = createDistributorProvider(
      config,
      { fetch, now: () => new Date() },
      { allowPrivate: false },
    );
    const outcome = await adapter.submit(po(), { signal: AbortSignal.timeout(5_000) });
    expect(outcome.kind).toBe("rejected");
  });
});

import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "~/db/client.server";
import { orders } from "~/db/schema";
import { DEMO_SHOP_DOMAIN } from "~/demo/constants";
import { findShop } from "~/shops/shops.server";
import { createOrder } from "./support/factories";
import { testDatabaseKind } from "./support/db";
import { childEnv } from "./support/process";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

// `npm run demo` as a user runs it: its own process, its own data folder, real ports.
describe.skipIf(testDatabaseKind !== "pglite")("npm run demo", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-demo-"));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const child of running) if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startDemo(): Promise<{
    url: string;
    log: () => string;
    stop: () => Promise<number | null>;
  }> {
    // The same command line as `npm run demo`.
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", "--demo"], {
      env: childEnv({ DATA_DIR: dataDir, PORT: "0", SANDBOX_PORT: "0", DEMO_CART_PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.push(child);
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /demo app at (http:\/\/localhost:\d+)/.exec(output);
        if (match?.[1]) {
          clearInterval(timer);
          resolve(match[1]);
        }
      }, 100);
      child.once("exit", (code) => {
        clearInterval(timer);
        reject(new Error(`demo exited with ${code}:\n${output}`));
      });
    });
    return {
      url,
      log: () => output,
      stop: () =>
        new Promise((resolve) => {
          child.once("exit", (code) => resolve(code));
          process.kill(child.pid!, "SIGTERM");
        }),
    };
  }

  // Two full demo start-ups (PGlite, Vite, seeding), each of which a user waits for: ~22 s alone,
  // 49 s beside stress-ng on 2 cores, and more while the suite runs two files at once.
  it(
    "serves the seeded catalog on localhost, and keeps every order and change across a restart",
    async () => {
      const first = await startDemo();
      expect(first.log()).toContain("72 orders created");
      expect(first.log()).toMatch(/sandbox provider listening at http:\/\/127\.0\.0\.1:\d+/);
      const page = await fetch(`${first.url}/app`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("#1072");
      expect(await first.stop()).toBe(0);

      // While it is stopped, change the stored data as the app would.
      const database = await openDatabase({ kind: "pglite", dataDir });
      const shop = await findShop(database.db, "demo", DEMO_SHOP_DOMAIN);
      await createOrder(database.db, shop!, {
        cartOrderNumber: "#3001",
        customerName: "Mina Castellanos",
        cartCreatedAt: new Date(Date.now() + 60_000),
      });
      await database.db
        .update(orders)
        .set({ note: "Gift wrap, please" })
        .where(and(eq(orders.shopId, shop!.id), eq(orders.cartOrderNumber, "#1072")));
      await database.close();

      const second = await startDemo();
      expect(second.log()).toContain("0 orders created");
      const html = await (await fetch(`${second.url}/app`)).text();
      expect(html).toContain("Mina Castellanos");
      expect(await second.stop()).toBe(0);

      const after = await openDatabase({ kind: "pglite", dataDir });
      // The demo shop's 72 and the one added while stopped; the demo's cart shops have their own.
      const all = await after.db.select().from(orders).where(eq(orders.shopId, shop!.id));
      expect(all).toHaveLength(73);
      expect(all.find((o) => o.cartOrderNumber === "#1072")?.note).toBe("Gift wrap, please");
      await after.close();
    },
    2 * STARTUP_TIMEOUT_MS,
  );
});

// Who the client is, as the app sees it: by default the connection's own address, scheme and Host,
// whatever X-Forwarded-* a client sends; with TRUST_PROXY, what the trusted proxies in front say.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "~/config.server";
import { createWebApp } from "../server/web";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
const servers: http.Server[] = [];

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  for (const server of servers) server.close();
  await app?.close();
  await closeVite();
});

/**
 * A Remix build with one resource route that answers the URL Remix was handed, so the test reads
 * what every loader and action would see through the real edge (server/web.ts and the handoff).
 */
function echoBuild(): ServerBuild {
  const build = {
    mode: "production",
    entry: {
      module: {
        default: () => new Response("no documents here", { status: 404 }),
        // Only /echo exists: the other addresses' 404s are expected here, not worth a log line.
        handleError: () => {},
      },
    },
    routes: {
      echo: {
        id: "echo",
        path: "echo",
        module: {
          loader: ({ request }: { request: Request }) => Response.json({ url: request.url }),
        },
      },
    },
    assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "echo" },
    publicPath: "/",
    assetsBuildDirectory: "",
    future: { v3_singleFetch: true },
    isSpaMode: false,
  };
  return build as unknown as ServerBuild;
}

async function serveWith(trustProxy: AppConfig["trustProxy"]): Promise<string> {
  const ctx = { ...app.ctx, config: { ...app.ctx.config, trustProxy } };
  const server = http.createServer(createWebApp({ ctx, build: echoBuild() }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const forged = {
  "X-Forwarded-For": "203.0.113.7",
  "X-Forwarded-Proto": "https",
  "X-Forwarded-Host": "shop.attacker.example:8443",
};

describe("X-Forwarded-* headers", () => {
  it("change nothing the app sees by default", async () => {
    const base = await serveWith(app.ctx.config.trustProxy);
    const seen = (await (await fetch(`${base}/echo?q=1`, { headers: forged })).json()) as {
      url: string;
    };
    expect(seen.url).toBe(`${base}/echo?q=1`);
  });

  it("are believed from a trusted proxy (TRUST_PROXY=1)", async () => {
    const base = await serveWith(1);
    const seen = (await (await fetch(`${base}/echo?q=1`, { headers: forged })).json()) as {
      url: string;
    };
    expect(seen.url).toBe("https://shop.attacker.example:8443/echo?q=1");
  });

  it("are not believed from an address TRUST_PROXY does not name", async () => {
    const base = await serveWith(["10.0.0.0/8"]);
    const seen = (await (await fetch(`${base}/echo`, { headers: forged })).json()) as {
      url: string;
    };
    expect(seen.url).toBe(`${base}/echo`);
  });
});

describe("the client address the rate limits count", () => {
  const signIn = (base: string, forwardedFor: string) =>
    fetch(`${base}/auth/login`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": forwardedFor,
      },
      body: "shop=trust-proxy-test",
    });

  it("is the connection's by default: a new X-Forwarded-For each time is still one client", async () => {
    const base = await serveWith(app.ctx.config.trustProxy);
    for (let i = 0; i < 10; i++) {
      expect((await signIn(base, `198.51.100.${i}`)).status).not.toBe(429);
    }
    expect((await signIn(base, "198.51.100.99")).status).toBe(429);
  });

  it("is the forwarded one behind a trusted proxy (TRUST_PROXY=1)", async () => {
    const base = await serveWith(1);
    for (let i = 0; i < 11; i++) {
      expect((await signIn(base, `203.0.113.${i}`)).status).not.toBe(429);
    }
    for (let i = 0; i < 10; i++) await signIn(base, "203.0.113.200");
    expect((await signIn(base, "203.0.113.200")).status).toBe(429);
  });
});

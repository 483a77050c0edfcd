import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Env } from "~/config.server";
import { openSecret, sealSecret } from "~/security/encryption.server";
import { childEnv } from "./support/process";

const production = {
  NODE_ENV: "production",
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://orderlane.example.com",
  ENCRYPTION_KEY: "a".repeat(64),
};

function refusal(env: Env, flags: Parameters<typeof loadConfig>[1] = {}) {
  try {
    loadConfig(env, flags);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected the configuration to be refused");
}

describe("configuration", () => {
  it("accepts a complete production configuration", () => {
    const config = loadConfig({ ...production, DATABASE_URL: "postgres://app@db:5432/orderlane" });
    expect(config.mode).toBe("production");
    expect(config.database).toEqual({
      kind: "postgres",
      url: "postgres://app@db:5432/orderlane",
      poolSize: 10,
    });
    expect(config.encryptionKey).toHaveLength(32);
    expect(config.host).toBe("127.0.0.1");
  });

  it("uses PGlite in ./data when DATABASE_URL is unset, or DATA_DIR", () => {
    expect(loadConfig(production, { cwd: "/srv/app" }).database).toEqual({
      kind: "pglite",
      dataDir: "/srv/app/data",
    });
    expect(loadConfig({ ...production, DATA_DIR: "/var/lib/ol" }).database).toEqual({
      kind: "pglite",
      dataDir: "/var/lib/ol",
    });
  });

  it.each([
    ["not a url", "DATABASE_URL"],
    ["mysql://root@localhost/shop", "DATABASE_URL"],
  ])("refuses DATABASE_URL=%s naming the variable", (value, variable) => {
    const err = refusal({ ...production, DATABASE_URL: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(/^DATABASE_URL: /);
  });

  it("refuses to start outside demo mode without the Shopify secret", () => {
    const env: Env = { ...production };
    delete env.SHOPIFY_API_SECRET;
    expect(refusal(env).variable).toBe("SHOPIFY_API_SECRET");
  });

  it("refuses production without an encryption key, and a key of the wrong size", () => {
    const env: Env = { ...production };
    delete env.ENCRYPTION_KEY;
    expect(refusal(env).variable).toBe("ENCRYPTION_KEY");
    expect(refusal({ ...production, ENCRYPTION_KEY: "short" }).variable).toBe("ENCRYPTION_KEY");
  });

  it("refuses demo mode when NODE_ENV=production", () => {
    expect(refusal({ NODE_ENV: "production" }, { demo: true }).variable).toBe("NODE_ENV");
  });

  it("refuses a port that is not a port", () => {
    expect(refusal({ ...production, PORT: "http" }).variable).toBe("PORT");
    expect(refusal({ ...production, PORT: "70000" }).variable).toBe("PORT");
  });

  it("refuses private outbound addresses in production unless ALLOW_PRIVATE_OUTBOUND=1", () => {
    expect(loadConfig(production).allowPrivateOutbound).toBe(false);
    expect(loadConfig({ ...production, ALLOW_PRIVATE_OUTBOUND: "1" }).allowPrivateOutbound).toBe(
      true,
    );
    // Development, the demo and tests run stores and providers next to the app.
    expect(
      loadConfig({ NODE_ENV: "development" }, { needsShopify: false }).allowPrivateOutbound,
    ).toBe(true);
    expect(loadConfig({}, { demo: true }).allowPrivateOutbound).toBe(true);
    expect(loadConfig({ NODE_ENV: "test" }).allowPrivateOutbound).toBe(true);
    expect(loadConfig({ NODE_ENV: "test", ALLOW_PRIVATE_OUTBOUND: "0" }).allowPrivateOutbound).toBe(
      false,
    );
    const err = refusal({ ...production, ALLOW_PRIVATE_OUTBOUND: "yes" });
    expect(err.variable).toBe("ALLOW_PRIVATE_OUTBOUND");
    expect(err.message).toMatch(/^ALLOW_PRIVATE_OUTBOUND: must be 1 .* or 0/);
  });

  it("refuses the sandbox provider in production without its own SANDBOX_SECRET", () => {
    // Falling back to the demo's secret would let anyone who read the source sign sandbox events.
    const err = refusal({ ...production, SANDBOX_PROVIDER: "1" });
    expect(err.variable).toBe("SANDBOX_SECRET");
    expect(err.message).toMatch(
      /^SANDBOX_SECRET: is required with SANDBOX_PROVIDER=1 in production/,
    );
    expect(
      refusal({
        ...production,
        SANDBOX_PROVIDER: "1",
        SANDBOX_SECRET: "orderlane-sandbox-demo-secret",
      }).variable,
    ).toBe("SANDBOX_SECRET");
    const config = loadConfig({
      ...production,
      SANDBOX_PROVIDER: "1",
      SANDBOX_SECRET: "s3cret-of-ours",
    });
    expect(config.sandbox?.secret).toBe("s3cret-of-ours");
  });

  it("believes no proxy unless TRUST_PROXY names how many or which", () => {
    expect(loadConfig(production).trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(
      loadConfig({ ...production, TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,fd00::/8, loopback" })
        .trustProxy,
    ).toEqual(["10.0.0.0/8", "127.0.0.1", "fd00::/8", "loopback"]);
    // `true` believes whatever the client itself writes first in X-Forwarded-For.
    expect(refusal({ ...production, TRUST_PROXY: "true" }).variable).toBe("TRUST_PROXY");
    for (const bad of ["proxy.internal", "10.0.0.0/33", "::1/129", "1.2.3", "-1"]) {
      expect(refusal({ ...production, TRUST_PROXY: bad }).variable).toBe("TRUST_PROXY");
    }
  });

  it("reads the rate limits, 0 turning one off", () => {
    expect(loadConfig(production).rateLimits).toEqual({
      signInPerMinute: 10,
      apiPerMinute: 1200,
      apiBurst: 100,
    });
    expect(
      loadConfig({
        ...production,
        RATE_LIMIT_SIGN_IN_PER_MIN: "0",
        RATE_LIMIT_API_PER_MIN: "600",
        RATE_LIMIT_API_BURST: "50",
      }).rateLimits,
    ).toEqual({ signInPerMinute: 0, apiPerMinute: 600, apiBurst: 50 });
    expect(refusal({ ...production, RATE_LIMIT_SIGN_IN_PER_MIN: "ten" }).variable).toBe(
      "RATE_LIMIT_SIGN_IN_PER_MIN",
    );
    expect(refusal({ ...production, RATE_LIMIT_API_PER_MIN: "-5" }).variable).toBe(
      "RATE_LIMIT_API_PER_MIN",
    );
    // A burst larger than the minute's allowance could never be reached.
    expect(
      refusal({ ...production, RATE_LIMIT_API_PER_MIN: "60", RATE_LIMIT_API_BURST: "100" })
        .variable,
    ).toBe("RATE_LIMIT_API_BURST");
  });

  it("binds the demo to localhost even when HOST says otherwise", () => {
    const config = loadConfig({ HOST: "0.0.0.0", ENCRYPTION_KEY: "a".repeat(64) }, { demo: true });
    expect(config.host).toBe("127.0.0.1");
    expect(config.sandbox).not.toBeNull();
  });
});

describe("the encryption key outside production", () => {
  const development = {
    SHOPIFY_API_KEY: "key",
    SHOPIFY_API_SECRET: "secret",
    SHOPIFY_APP_URL: "https://orderlane.example.com",
  };
  // The key every install used before: it is in the source, so it must never come back.
  const formerBuiltInKey = Buffer.alloc(32, "orderlane-demo-key");
  const folders: string[] = [];
  const freshFolder = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-key-"));
    folders.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("generates a random key for each data folder, kept in the folder for its owner only", () => {
    const first = freshFolder();
    const second = freshFolder();
    const a = loadConfig({ ...development, DATA_DIR: first }).encryptionKey;
    const b = loadConfig({ ...development, DATA_DIR: second }).encryptionKey;
    const demo = loadConfig({ DATA_DIR: freshFolder() }, { demo: true }).encryptionKey;
    for (const key of [a, b, demo]) {
      expect(key).toHaveLength(32);
      expect(key.equals(formerBuiltInKey)).toBe(false);
    }
    expect(a.equals(b)).toBe(false);
    expect(a.equals(demo)).toBe(false);
    const file = path.join(first, "orderlane-encryption.key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, "utf8").trim()).toBe(a.toString("hex"));
  });

  it("reads the folder's key on every later start, so what was sealed still opens", () => {
    const dir = freshFolder();
    const first = loadConfig({ ...development, DATA_DIR: dir });
    const sealed = sealSecret(first.encryptionKey, "ck_live_1234567890");
    const restarted = loadConfig({ ...development, DATA_DIR: dir });
    expect(restarted.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(openSecret(restarted.encryptionKey, sealed)).toBe("ck_live_1234567890");
    // The demo on the same folder uses the same key.
    expect(loadConfig({ DATA_DIR: dir }, { demo: true }).encryptionKey).toEqual(
      first.encryptionKey,
    );
  });

  it("says when a folder that already held a database gets its first key", () => {
    const dir = freshFolder();
    expect(loadConfig({ ...development, DATA_DIR: dir }).encryptionKeyFile).toEqual({
      path: path.join(dir, "orderlane-encryption.key"),
      created: true,
      replacedFormerKey: false,
    });
    const older = freshFolder();
    fs.writeFileSync(path.join(older, "PG_VERSION"), "17\n");
    expect(loadConfig({ ...development, DATA_DIR: older }).encryptionKeyFile).toMatchObject({
      created: true,
      replacedFormerKey: true,
    });
    expect(loadConfig({ ...development, DATA_DIR: older }).encryptionKeyFile).toMatchObject({
      created: false,
    });
  });

  it("prefers ENCRYPTION_KEY to the folder's key, and writes no file then", () => {
    const dir = freshFolder();
    const config = loadConfig({ ...development, DATA_DIR: dir, ENCRYPTION_KEY: "b".repeat(64) });
    expect(config.encryptionKey.toString("hex")).toBe("b".repeat(64));
    expect(fs.existsSync(path.join(dir, "orderlane-encryption.key"))).toBe(false);
  });

  it("refuses a damaged key file rather than sealing with another key", () => {
    const dir = freshFolder();
    fs.writeFileSync(path.join(dir, "orderlane-encryption.key"), "not a key\n", { mode: 0o600 });
    const err = refusal({ ...development, DATA_DIR: dir });
    expect(err.variable).toBe("ENCRYPTION_KEY");
    expect(err.message).toContain(path.join(dir, "orderlane-encryption.key"));
  });

  it("refuses development on PostgreSQL without ENCRYPTION_KEY", () => {
    const err = refusal({ ...development, DATABASE_URL: "postgres://app@db:5432/orderlane" });
    expect(err.variable).toBe("ENCRYPTION_KEY");
    expect(err.message).toMatch(/^ENCRYPTION_KEY: is required with DATABASE_URL/);
  });
});

// Each case starts the app's process under tsx and waits for it to stop: seconds alone, tens of
// seconds while other suites share the machine's 2 cores.
describe("starting the process with a bad configuration", { timeout: 90_000 }, () => {
  const run = (env: Record<string, string>, args: string[] = []) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", ...args], {
        env: childEnv(env),
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    });

  it("stops with one line naming DATABASE_URL when it is malformed", async () => {
    const { code, stderr } = await run({ ...production, DATABASE_URL: "postgres//oops" });
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot start: DATABASE_URL: /);
  });

  it("stops with one line naming SHOPIFY_API_SECRET when it is missing", async () => {
    const { code, stderr } = await run({ NODE_ENV: "production", SHOPIFY_API_KEY: "key" });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^\[orderlane\] cannot start: SHOPIFY_API_SECRET: is required/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("stops with one line naming ENCRYPTION_KEY in development on PostgreSQL without one", async () => {
    const { code, stderr } = await run({
      SHOPIFY_API_KEY: "key",
      SHOPIFY_API_SECRET: "secret",
      SHOPIFY_APP_URL: "https://orderlane.example.com",
      DATABASE_URL: "postgres://orderlane@127.0.0.1:1/orderlane",
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[orderlane\] cannot start: ENCRYPTION_KEY: is required with DATABASE_URL/,
    );
  });

  it("refuses the demo under NODE_ENV=production", async () => {
    const { code, stderr } = await run({ NODE_ENV: "production" }, ["--demo"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/NODE_ENV: demo mode is refused/);
  });

  it("stops with one line naming DATABASE_URL when PostgreSQL cannot be reached", async () => {
    const { code, stderr } = await run({
      ...production,
      DATABASE_URL: "postgres://orderlane@127.0.0.1:1/orderlane",
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "[orderlane] cannot start: DATABASE_URL: cannot connect: nothing is listening at that host and port (ECONNREFUSED)",
    );
  });

  it("stops with one line naming PORT when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = String((blocker.address() as net.AddressInfo).port);
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-port-"));
      const { code, stderr } = await run({ DATA_DIR: dataDir, PORT: port, SANDBOX_PORT: "0" }, [
        "--demo",
      ]);
      fs.rmSync(dataDir, { recursive: true, force: true });
      expect(code).toBe(1);
      expect(stderr).toContain(`cannot start: PORT: port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it("stops with one line saying to build first when production has no build", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-nobuild-"));
    try {
      const { code, stderr } = await run({
        ...production,
        DATA_DIR: dataDir,
        PORT: "0",
        REMIX_BUILD_DIR: path.join(dataDir, "no-build-here"),
      });
      expect(code).toBe(1);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toContain("production needs a build: run `npm run build`");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

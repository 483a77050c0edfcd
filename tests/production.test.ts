// `npm start` as production runs it: the compiled server (`npm run build`, made once per test run
// by the global setup) in a process of its own, plain JavaScript with no TypeScript loader, on the
// test database (PostgreSQL when TEST_DATABASE_URL is set, otherwise PGlite in a folder of its own).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { productionNodeArgs } from "../bench/production";
import { createPostgresTestDatabase } from "./support/db";
import { childEnv } from "./support/process";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

// The same command line as `npm start` (read from package.json), pointed at the test run's build.
const START = productionNodeArgs("start");

describe("the compiled server (npm run build, then npm start)", () => {
  const buildDir = inject("testBuildDir");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-production-"));
  let database: Record<string, string> = { DATA_DIR: dataDir };
  let dropDatabase: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (adminUrl) {
      const throwaway = await createPostgresTestDatabase(adminUrl);
      database = { DATABASE_URL: throwaway.url };
      dropDatabase = throwaway.drop;
    }
  });
  afterAll(async () => {
    await dropDatabase?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes the compiled entry with its source map and migrations", () => {
    const entry = path.join(buildDir, "server/main.js");
    expect(fs.readFileSync(entry, "utf8")).toContain("//# sourceMappingURL=main.js.map");
    expect(fs.existsSync(`${entry}.map`)).toBe(true);
    expect(fs.existsSync(path.join(buildDir, "server/migrations/meta/_journal.json"))).toBe(true);
  });

  // An operator waits for `npm start` to be ready: beside other work on 2 cores it reported
  // "ready in 36388 ms" (PGlite's first open dominates), past the 30 s a test normally gets.
  it(
    "starts, answers /healthz and a page with its assets, and exits cleanly on SIGTERM",
    async () => {
      const child = spawn(process.execPath, START, {
        env: childEnv({
          NODE_ENV: "production",
          REMIX_BUILD_DIR: buildDir,
          PORT: "0",
          SHOPIFY_API_KEY: "production-test",
          SHOPIFY_API_SECRET: "production-test-secret",
          SHOPIFY_APP_URL: "https://orderlane.test",
          ENCRYPTION_KEY: randomBytes(32).toString("hex"),
          ...database,
        }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setInterval(() => {
            const match = /production app at (http:\/\/localhost:\d+)/.exec(output);
            if (match?.[1]) {
              clearInterval(timer);
              resolve(match[1]);
            }
          }, 50);
          void exited.then((code) => {
            clearInterval(timer);
            reject(new Error(`the server exited with ${code}:\n${output}`));
          });
        });
        expect(output).toContain("[orderlane] worker started");

        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);

        // A page rendered by the Remix build, and a stylesheet it links from the client build.
        const login = await fetch(`${url}/auth/login`);
        expect(login.status).toBe(200);
        const stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(await login.text())?.[1];
        expect(stylesheet).toBeDefined();
        const css = await fetch(`${url}${stylesheet}`);
        expect(css.status).toBe(200);
        expect(css.headers.get("cache-control")).toContain("immutable");

        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(output).toContain("[orderlane] SIGTERM: stopping");
        expect(output).not.toMatch(/error/i);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    },
    STARTUP_TIMEOUT_MS,
  );

  it("refuses to start the sandbox provider without SANDBOX_SECRET, in one line naming it", async () => {
    const child = spawn(process.execPath, START, {
      env: childEnv({
        NODE_ENV: "production",
        REMIX_BUILD_DIR: buildDir,
        PORT: "0",
        SHOPIFY_API_KEY: "production-test",
        SHOPIFY_API_SECRET: "production-test-secret",
        SHOPIFY_APP_URL: "https://orderlane.test",
        ENCRYPTION_KEY: randomBytes(32).toString("hex"),
        SANDBOX_PROVIDER: "1",
        SANDBOX_PORT: "0",
        ...database,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // Started after all: stop it here rather than leave it running past the test.
      if (stdout.includes("production app at")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(stdout).not.toContain("production app at");
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(
      /^\[orderlane\] cannot start: SANDBOX_SECRET: is required with SANDBOX_PROVIDER=1 in production/,
    );
  });

  it("says to run `npm run build` when there is no build", async () => {
    const child = spawn(process.execPath, START, {
      env: childEnv({ NODE_ENV: "production", REMIX_BUILD_DIR: path.join(dataDir, "no-build") }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("cannot start: no compiled server at");
    expect(stderr).toContain("run `npm run build` first");
  });

  // README: "REMIX_BUILD_DIR builds elsewhere". The build keeps its packages external, so from a
  // folder outside the project Node would find no `zod` above it; start.js looks in the project.
  it(
    "starts from a build outside the project, finding its packages in the project",
    async () => {
      const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "orderlane-build-elsewhere-"));
      fs.cpSync(buildDir, elsewhere, { recursive: true });
      const child = spawn(process.execPath, START, {
        env: childEnv({
          NODE_ENV: "production",
          REMIX_BUILD_DIR: elsewhere,
          PORT: "0",
          SHOPIFY_API_KEY: "production-test",
          SHOPIFY_API_SECRET: "production-test-secret",
          SHOPIFY_APP_URL: "https://orderlane.test",
          ENCRYPTION_KEY: randomBytes(32).toString("hex"),
          ...database,
        }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setInterval(() => {
            const match = /production app at (http:\/\/localhost:\d+)/.exec(output);
            if (match?.[1]) {
              clearInterval(timer);
              resolve(match[1]);
            }
          }, 50);
          void exited.then((code) => {
            clearInterval(timer);
            reject(new Error(`the server exited with ${code}:\n${output}`));
          });
        });
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        // The pages come from the build elsewhere: its server build renders, its client serves.
        const login = await fetch(`${url}/auth/login`);
        expect(login.status).toBe(200);
        const stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(await login.text())?.[1];
        expect((await fetch(`${url}${stylesheet}`)).status).toBe(200);
        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(output).not.toMatch(/error/i);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        fs.rmSync(elsewhere, { recursive: true, force: true });
      }
    },
    STARTUP_TIMEOUT_MS,
  );
});

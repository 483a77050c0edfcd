import { describe, expect, it } from "vitest";
import { OutboundRefusedError } from "~/security/outbound.server";
import {
  call,
  cancelOutcome,
  dateFromUnixSeconds,
  httpUrlOrNull,
  pickShippingMethod,
  secretsMatch,
  splitName,
  theirMessage,
  unreachable,
} from "./provider-http";

describe("call, under the outbound-request policy", () => {
  const init = { method: "POST" as const, body: "{}", signal: new AbortController().signal };

  it("a refused address is a failure only the owner can fix, said in their words", async () => {
    const refused = new OutboundRefusedError(
      "the address 10.0.0.1 is on a private network, which is not allowed",
      "10.0.0.1",
    );
    // As the global fetch reports a refusal met while connecting.
    const fetchFn: typeof fetch = async () => {
      throw new TypeError("fetch failed", { cause: refused });
    };
    const reply = await call(fetchFn, "http://10.0.0.1/orders", init);
    expect(reply).toEqual({
      kind: "failed",
      permanent: true,
      reason:
        "was not called: the address 10.0.0.1 is on a private network, which is not allowed. Enter the provider's public address in Settings → Providers",
    });
    expect(unreachable("Acme", reply as Extract<typeof reply, { kind: "failed" }>)).toMatchObject({
      kind: "rejected",
      reason: expect.stringMatching(/^Acme was not called: /),
    });
    expect(cancelOutcome("Acme", reply)).toMatchObject({ kind: "refused" });
  });

  it("a redirect is not followed, and what came with it is never read", async () => {
    const fetchFn: typeof fetch = async () =>
      new Response('{"AccessKeyId":"inside"}', {
        status: 302,
        headers: { Location: "http://169.254.169.254/latest/meta-data/" },
      });
    const reply = await call(fetchFn, "https://printer.example/orders", init);
    expect(reply).toMatchObject({ kind: "failed", permanent: true });
    expect(JSON.stringify(reply)).not.toMatch(/AccessKeyId|169\.254/);
    expect((reply as { reason: string }).reason).toMatch(
      /^answered with a redirect \(HTTP 302\), which Orderlane does not follow/,
    );
  });

  it("an unreachable provider is still worth another attempt", async () => {
    const fetchFn: typeof fetch = async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    };
    const reply = await call(fetchFn, "https://printer.example/orders", init);
    expect(reply).toEqual({ kind: "failed", reason: "could not be reached (ECONNREFUSED)" });
    expect(unreachable("Acme", reply as Extract<typeof reply, { kind: "failed" }>).kind).toBe(
      "unavailable",
    );
  });
});

describe("theirMessage", () => {
  it.each([
    [
      "Printful",
      { code: 400, result: "Bad", error: { reason: "BadRequest", message: "Bad zip" } },
      "Bad zip",
    ],
    [
      "OAuth-style",
      { error: "invalid_request", error_description: "Invalid Shipping Method" },
      "Invalid Shipping Method",
    ],
    ["a plain error", { error: "Unauthenticated." }, "Unauthenticated."],
    [
      "Laravel",
      {
        message: "The given data was invalid.",
        errors: { zip: ["Zip is required."], city: ["City is required."] },
      },
      "Zip is required.; City is required.",
    ],
    ["CustomCat's MSG", { MSG: "Duplicate Order" }, "Duplicate Order"],
  ])("reads %s errors", (_label, body, expected) => {
    expect(theirMessage(body)).toBe(expected);
  });

  it("returns null when there is nothing to read, and clips long messages", () => {
    expect(theirMessage(undefined)).toBeNull();
    expect(theirMessage(["error"])).toBeNull();
    expect(theirMessage({ error: "" })).toBeNull();
    expect(theirMessage({ message: "x".repeat(500) })).toHaveLength(300);
  });
});

describe("secretsMatch", () => {
  it("matches only the same non-empty secret, whatever the lengths", () => {
    expect(secretsMatch("s3cret", "s3cret")).toBe(true);
    expect(secretsMatch("s3cret", "s3cret-longer")).toBe(false);
    expect(secretsMatch("", "")).toBe(false);
    expect(secretsMatch(null, "s3cret")).toBe(false);
  });
});

describe("small readers", () => {
  it("splits a name at its last word", () => {
    expect(splitName("  Ada   King Lovelace ")).toEqual({ first: "Ada King", last: "Lovelace" });
    expect(splitName("Cher")).toEqual({ first: "Cher", last: "" });
  });

  it("keeps only http(s) URLs", () => {
    expect(httpUrlOrNull("https://track.example/1")).toBe("https://track.example/1");
    expect(httpUrlOrNull("javascript:alert(1)")).toBeNull();
    expect(httpUrlOrNull("not a url")).toBeNull();
  });

  it("reads unix seconds from numbers and numeric strings only", () => {
    expect(dateFromUnixSeconds(1740916800)).toEqual(new Date("2025-03-02T12:00:00Z"));
    expect(dateFromUnixSeconds("1740916800")).toEqual(new Date("2025-03-02T12:00:00Z"));
    expect(dateFromUnixSeconds("2025-03-02")).toBeNull();
    expect(dateFromUnixSeconds(0)).toBeNull();
  });

  it("maps a shipping method by exact or lower-cased name, else the default", () => {
    const map = { standard: "Economy", "Express 2-day": "2 Day" };
    expect(pickShippingMethod("Express 2-day", map, "Economy")).toBe("2 Day");
    expect(pickShippingMethod("STANDARD", map, undefined)).toBe("Economy");
    expect(pickShippingMethod("Overnight", map, "Economy")).toBe("Economy");
    expect(pickShippingMethod(null, map, undefined)).toBeUndefined();
  });
});

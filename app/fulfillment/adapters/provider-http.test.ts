import { describe, expect, it } from "vitest";
import {
  dateFromUnixSeconds,
  httpUrlOrNull,
  pickShippingMethod,
  secretsMatch,
  splitName,
  theirMessage,
} from "./provider-http";

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

import { describe, expect, it } from "vitest";
import { burstSeconds, clientKey, doorOf } from "./rate-limits";

describe("the client a limit counts", () => {
  it("is the IPv4 address, also when it comes IPv6-mapped", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("is the /64 of an IPv6 address, however it is written", () => {
    const key = "2001:db8:85a3:0::/64";
    expect(clientKey("2001:db8:85a3::8a2e:370:7334")).toBe(key);
    expect(clientKey("2001:0DB8:85A3:0000:ffff:ffff:ffff:ffff")).toBe(key);
    expect(clientKey("2001:db8:85a3:0:1::1%eth0")).toBe(key);
    expect(clientKey("2001:db8:85a3:1::1")).not.toBe(key);
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
  });

  it("is one bucket when Express knows no address", () => {
    expect(clientKey(undefined)).toBe("unknown");
  });
});

describe("the door a request is for", () => {
  it.each([
    ["POST", "/auth/login", "sign-in"],
    ["PUT", "/Auth/Login/", "sign-in"],
    ["POST", "/auth/login.data", "sign-in"],
    ["POST", "/auth/%2e/login", "sign-in"],
    ["POST", "/connect/woocommerce", "connect"],
    ["POST", "/connect/woocommerce.data", "connect"],
    ["GET", "/api/v1/orders", "api"],
    ["POST", "/API/v1/orders/1/submit", "api"],
    ["GET", "/auth/login", null],
    ["POST", "/connect/woocommerce/callback", null],
    ["POST", "/api/providers/1/events", null],
    ["POST", "/webhooks/shopify", null],
    ["POST", "/app/orders/1", null],
  ])("%s %s → %s", (method, path, door) => {
    expect(doorOf({ method, path })).toBe(door);
  });
});

it("makes the burst's window the time the minute's rate takes to allow the burst", () => {
  expect(burstSeconds({ signInPerMinute: 10, apiPerMinute: 1200, apiBurst: 100 })).toBe(5);
  expect(burstSeconds({ signInPerMinute: 10, apiPerMinute: 60, apiBurst: 60 })).toBe(60);
  expect(burstSeconds({ signInPerMinute: 10, apiPerMinute: 6000, apiBurst: 10 })).toBe(1);
});

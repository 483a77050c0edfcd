import { describe, expect, it } from "vitest";
import { isPublicAddress, type Lookup } from "./outbound.server";
import { checkStoreUrl } from "./store-url.server";

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

const production = (lookup: Lookup) => ({
  development: false,
  policy: { allowPrivate: false, lookup },
});

describe("checkStoreUrl", () => {
  it("reads what an owner types into the store's base URL and domain", async () => {
    expect(await checkStoreUrl("MyStore.com", production(resolvesTo("93.184.215.14")))).toEqual({
      ok: true,
      store: { url: "https://mystore.com", domain: "mystore.com" },
    });
    expect(
      await checkStoreUrl(
        " https://Example.org/shop/?utm=1#top ",
        production(resolvesTo("2606:4700::6810:84e5")),
      ),
    ).toEqual({ ok: true, store: { url: "https://example.org/shop", domain: "example.org/shop" } });
  });

  it("refuses http outside development", async () => {
    const result = await checkStoreUrl(
      "http://mystore.com",
      production(resolvesTo("93.184.215.14")),
    );
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/https/) });
  });

  it("refuses names that lead to loopback, private, link-local or other non-public addresses", async () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.5",
      "192.168.1.10",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "fd12:3456::1",
      "fe80::1",
      "::ffff:10.0.0.1",
    ]) {
      const result = await checkStoreUrl(
        "https://shop.example.com",
        production(resolvesTo(address)),
      );
      expect(result, address).toMatchObject({
        ok: false,
        reason: expect.stringContaining("not a public internet address"),
      });
    }
    // One private answer among public ones is enough to refuse (DNS can pick either).
    expect(
      await checkStoreUrl(
        "https://shop.example.com",
        production(resolvesTo("93.184.215.14", "10.0.0.8")),
      ),
    ).toMatchObject({ ok: false });
  });

  it("refuses private addresses and local names typed directly", async () => {
    const never: Lookup = async () => {
      throw new Error("should not look up");
    };
    for (const typed of [
      "https://127.0.0.1",
      "https://[::1]:8443",
      // IPv4 inside IPv6: compatible (URL writes it [::7f00:1]) and mapped.
      "https://[::127.0.0.1]",
      "https://[::ffff:127.0.0.1]",
      "https://[::ffff:169.254.169.254]",
      "https://localhost",
      "https://intranet",
    ]) {
      expect(await checkStoreUrl(typed, production(never)), typed).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/not a public/),
      });
    }
  });

  it("says when the name cannot be found, and refuses nonsense and credentials", async () => {
    const notFound: Lookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await checkStoreUrl("https://nope.example.com", production(notFound))).toMatchObject({
      ok: false,
      reason: expect.stringContaining("could not be found"),
    });
    expect(await checkStoreUrl("", production(notFound))).toMatchObject({ ok: false });
    expect(await checkStoreUrl("https://exa mple.com", production(notFound))).toMatchObject({
      ok: false,
    });
    expect(
      await checkStoreUrl(
        "https://admin:pw@shop.example.com",
        production(resolvesTo("93.184.215.14")),
      ),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("password") });
    expect(await checkStoreUrl("ftp://shop.example.com", production(notFound))).toMatchObject({
      ok: false,
    });
  });

  it("refuses a name that leads to IPv4 inside IPv6 on this machine", async () => {
    for (const address of ["::7f00:1", "::ffff:7f00:1", "64:ff9b::a00:1"]) {
      expect(
        await checkStoreUrl("https://shop.example.com", production(resolvesTo(address))),
        address,
      ).toMatchObject({ ok: false, reason: expect.stringContaining(`leads to ${address}`) });
    }
  });

  it("in development allows http and a store on this machine", async () => {
    expect(
      await checkStoreUrl("http://localhost:8080/wp", {
        development: true,
        policy: { allowPrivate: true },
      }),
    ).toEqual({
      ok: true,
      store: { url: "http://localhost:8080/wp", domain: "localhost:8080/wp" },
    });
  });
});

describe("isPublicAddress", () => {
  it("knows public from non-public", () => {
    expect(isPublicAddress("8.8.8.8")).toBe(true);
    expect(isPublicAddress("2606:4700::6810:84e5")).toBe(true);
    expect(isPublicAddress("::ffff:7f00:1")).toBe(false);
    expect(isPublicAddress("203.0.113.7")).toBe(false);
    expect(isPublicAddress("not an ip")).toBe(false);
  });
});

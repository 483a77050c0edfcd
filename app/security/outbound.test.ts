import http from "node:http";
import type { AddressInfo } from "node:net";
import axios from "axios";
import ipaddr from "ipaddr.js";
import { http as mswHttp, passthrough } from "msw";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mswServer } from "../../tests/support/msw";
import {
  addressRange,
  checkDestination,
  guardedDispatcher,
  guardedLookup,
  isPublicAddress,
  outboundAxiosConfig,
  outboundFetch,
  OutboundRefusedError,
  type Lookup,
  type OutboundPolicy,
} from "./outbound.server";

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

const strict = (lookup?: Lookup): OutboundPolicy => ({ allowPrivate: false, lookup });

type RangeEntry = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** ipaddr.js's own table of special-purpose ranges, read at run time so a new one is covered too. */
function specialRanges(kind: typeof ipaddr.IPv4 | typeof ipaddr.IPv6) {
  const table = (
    kind.prototype as unknown as { SpecialRanges: Record<string, RangeEntry | RangeEntry[]> }
  ).SpecialRanges;
  return Object.entries(table).flatMap(([name, entry]) => {
    const list = (Array.isArray(entry[0]) ? entry : [entry]) as RangeEntry[];
    return list.map(([network, prefix]) => ({ name, cidr: `${network.toString()}/${prefix}` }));
  });
}

describe("which addresses are public", () => {
  const ranges = [...specialRanges(ipaddr.IPv4), ...specialRanges(ipaddr.IPv6)];

  it("knows every special-purpose range ipaddr.js classifies", () => {
    const names = new Set(ranges.map((r) => r.name));
    for (const name of ["loopback", "private", "linkLocal", "uniqueLocal", "carrierGradeNat"]) {
      expect(names).toContain(name);
    }
    expect(ranges.length).toBeGreaterThan(30);
  });

  it.each(ranges)("refuses $name ($cidr), first and last address", ({ cidr }) => {
    const first = (
      cidr.includes(":")
        ? ipaddr.IPv6.networkAddressFromCIDR(cidr)
        : ipaddr.IPv4.networkAddressFromCIDR(cidr)
    ).toString();
    const last = (
      cidr.includes(":")
        ? ipaddr.IPv6.broadcastAddressFromCIDR(cidr)
        : ipaddr.IPv4.broadcastAddressFromCIDR(cidr)
    ).toString();
    expect(isPublicAddress(first), first).toBe(false);
    expect(isPublicAddress(last), last).toBe(false);
  });

  it("accepts public unicast, IPv4 and IPv6", () => {
    for (const address of ["8.8.8.8", "93.184.215.14", "2606:4700::6810:84e5", "2a00:1450::1"]) {
      expect(addressRange(address), address).toBe("unicast");
    }
  });

  it("judges IPv4 inside IPv6 (mapped, compatible, NAT64) as the IPv4 it carries", () => {
    expect(addressRange("::ffff:127.0.0.1")).toBe("loopback");
    expect(addressRange("::ffff:7f00:1")).toBe("loopback");
    // ipaddr.js alone calls this one "unicast": it is how a URL writes [::127.0.0.1].
    expect(addressRange("::7f00:1")).toBe("loopback");
    expect(addressRange(new URL("https://[::127.0.0.1]/").hostname)).toBe("loopback");
    expect(addressRange("::ffff:a9fe:a9fe")).toBe("linkLocal");
    expect(addressRange("::a00:1")).toBe("private");
    expect(addressRange("64:ff9b::c0a8:101")).toBe("private");
    expect(addressRange("::ffff:8.8.8.8")).toBe("unicast");
    expect(addressRange("64:ff9b::808:808")).toBe("unicast");
  });

  it("refuses 6to4 and Teredo whatever they carry, and IPv6 outside global unicast", () => {
    expect(isPublicAddress("2002:7f00:1::1")).toBe(false);
    expect(isPublicAddress("2002:808:808::1")).toBe(false);
    expect(isPublicAddress("2001:0:4136:e378:8000:63bf:3fff:fdd2")).toBe(false);
    expect(isPublicAddress("4000::1")).toBe(false);
  });

  it("is not fooled by what is not an address", () => {
    expect(addressRange("localhost")).toBeNull();
    expect(isPublicAddress("not an ip")).toBe(false);
    expect(isPublicAddress("")).toBe(false);
  });
});

describe("checkDestination", () => {
  const never: Lookup = async () => {
    throw new Error("should not look up");
  };

  it.each([
    "http://127.0.0.1:8080/orders",
    "https://10.1.2.3",
    "https://172.16.5.4",
    "https://192.168.1.10",
    "http://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1",
    "https://[::1]",
    "https://[::127.0.0.1]",
    "https://[::ffff:127.0.0.1]",
    "https://[fc00::1]",
    "https://[fe80::1]",
    "https://0.0.0.0",
  ])("refuses %s, saying it is on a private network", async (url) => {
    const refused = await checkDestination(url, strict(never)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OutboundRefusedError);
    expect((refused as Error).message).toMatch(/is on a private network, which is not allowed/);
  });

  it("refuses a name when any of its addresses is not public", async () => {
    await expect(
      checkDestination("https://printer.example", strict(resolvesTo("93.184.215.14", "10.0.0.8"))),
    ).rejects.toThrow("printer.example leads to 10.0.0.8, which is on a private network");
    await expect(
      checkDestination("https://printer.example", strict(resolvesTo("93.184.215.14"))),
    ).resolves.toBeUndefined();
  });

  it("passes the resolver's error on for a name that cannot be found", async () => {
    const notFound: Lookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    await expect(checkDestination("https://nope.example", strict(notFound))).rejects.toMatchObject({
      code: "ENOTFOUND",
    });
  });

  it("allows private addresses when the policy does, and only http(s) ever", async () => {
    await expect(
      checkDestination("http://127.0.0.1:3001", { allowPrivate: true, lookup: never }),
    ).resolves.toBeUndefined();
    await expect(
      checkDestination("http://127.0.0.1:3001/orders", {
        ...strict(never),
        trustedOrigins: ["http://127.0.0.1:3001"],
      }),
    ).resolves.toBeUndefined();
    await expect(
      checkDestination("http://127.0.0.1:3002", {
        ...strict(never),
        trustedOrigins: ["http://127.0.0.1:3001"],
      }),
    ).rejects.toThrow(OutboundRefusedError);
    await expect(checkDestination("file:///etc/passwd", { allowPrivate: true })).rejects.toThrow(
      OutboundRefusedError,
    );
  });
});

describe("calls under the policy", () => {
  let server: http.Server;
  let port = 0;
  const hits: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/hop") {
        res.writeHead(302, { Location: `http://127.0.0.1:${port}/inside` }).end("moved");
      } else {
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"secret":"inside"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const hitsDuring = async (run: () => Promise<unknown>) => {
    const before = hits.length;
    await run().catch(() => undefined);
    return hits.slice(before);
  };

  it("fetch: a name leading to loopback is refused before anything is sent", async () => {
    const policy = strict(resolvesTo("127.0.0.1"));
    const seen = await hitsDuring(async () => {
      await expect(outboundFetch(`http://printer.test:${port}/`, {}, policy)).rejects.toThrow(
        "printer.test leads to 127.0.0.1, which is on a private network and is not allowed",
      );
    });
    expect(seen).toEqual([]);
  });

  it("fetch: never follows a redirect, even where private addresses are allowed", async () => {
    const seen = await hitsDuring(async () => {
      const response = await outboundFetch(
        `http://127.0.0.1:${port}/hop`,
        { method: "POST", body: "{}" },
        { allowPrivate: true },
      );
      expect(response.status).toBe(302);
    });
    expect(seen).toEqual(["/hop"]);
  });

  it("fetch: a public endpoint's redirect to a private address is handed back, not followed", async () => {
    mswServer.use(
      mswHttp.post("https://printer.example/orders", () =>
        Response.redirect(`http://127.0.0.1:${port}/inside`, 303),
      ),
    );
    const seen = await hitsDuring(async () => {
      const response = await outboundFetch(
        "https://printer.example/orders",
        { method: "POST", body: "{}" },
        strict(resolvesTo("93.184.215.14")),
      );
      expect(response.status).toBe(303);
    });
    expect(seen).toEqual([]);
  });

  it("fetch's connections resolve again when they connect: a rebound name is refused", async () => {
    // The dispatcher outboundFetch hands to fetch, used directly (msw stands in for the global
    // fetch in tests): the name was public when checked, and leads to loopback when connecting.
    const dispatcher = guardedDispatcher(resolvesTo("127.0.0.1"));
    const seen = await hitsDuring(async () => {
      await expect(request(`http://rebound.test:${port}/`, { dispatcher })).rejects.toThrow(
        /private network/,
      );
    });
    expect(seen).toEqual([]);
  });

  it("the socket resolver answers only with checked addresses, as net.connect asks", async () => {
    const lookup = guardedLookup(resolvesTo("93.184.215.14", "2606:4700::6810:84e5"));
    const all = await new Promise((resolve, reject) =>
      lookup("printer.example", { all: true }, (err, addresses) =>
        err ? reject(err) : resolve(addresses),
      ),
    );
    expect(all).toEqual([
      { address: "93.184.215.14", family: 4 },
      { address: "2606:4700::6810:84e5", family: 6 },
    ]);
    const six = await new Promise((resolve, reject) =>
      lookup("printer.example", { family: 6 }, (err, address) =>
        err ? reject(err) : resolve(address),
      ),
    );
    expect(six).toBe("2606:4700::6810:84e5");
  });

  it("axios: refuses loopback typed as an address, and a name leading there when connecting", async () => {
    const typed = await hitsDuring(async () => {
      await expect(
        axios.get(`http://[::ffff:127.0.0.1]:${port}/`, outboundAxiosConfig(strict())),
      ).rejects.toThrow(/private network/);
    });
    expect(typed).toEqual([]);

    // Public when checked, loopback when the socket connects.
    let asked = 0;
    const rebinding: Lookup = async () => [
      { address: asked++ === 0 ? "93.184.215.14" : "127.0.0.1", family: 4 },
    ];
    mswServer.use(mswHttp.all(`http://rebound.test:${port}/*`, () => passthrough()));
    const rebound = await hitsDuring(async () => {
      await expect(
        axios.get(`http://rebound.test:${port}/`, outboundAxiosConfig(strict(rebinding))),
      ).rejects.toThrow(/private network/);
    });
    expect(rebound).toEqual([]);
    expect(asked).toBe(2);
  });

  it("axios: does not follow redirects", async () => {
    const seen = await hitsDuring(async () => {
      await expect(
        axios.get(`http://127.0.0.1:${port}/hop`, outboundAxiosConfig({ allowPrivate: true })),
      ).rejects.toMatchObject({ response: { status: 302 } });
    });
    expect(seen).toEqual(["/hop"]);
  });
});

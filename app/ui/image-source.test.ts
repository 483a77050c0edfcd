import { describe, expect, it } from "vitest";
import { imageSource, isPublicHost, linkTarget, MAX_DATA_IMAGE_CHARS } from "./image-source";

const production = { allowHttp: false };
const development = { allowHttp: true };
const SMALL_PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

describe("imageSource outside development and the demo", () => {
  it("loads https images on the public internet", () => {
    expect(imageSource("https://cdn.shopify.com/s/files/1/preview.png?v=2", production)).toEqual({
      kind: "image",
      src: "https://cdn.shopify.com/s/files/1/preview.png?v=2",
    });
    expect(imageSource("  HTTPS://Uploads.Example.COM/a b.png ", production)).toEqual({
      kind: "image",
      src: "https://uploads.example.com/a%20b.png",
    });
  });

  it("loads the app's own files by their path", () => {
    expect(imageSource("/demo/preview-necklace.svg", production)).toEqual({
      kind: "image",
      src: "/demo/preview-necklace.svg",
    });
    expect(imageSource("/demo/../favicon.svg", production)).toEqual({
      kind: "image",
      src: "/favicon.svg",
    });
  });

  it("links an http image on the internet instead of loading it, with the reason", () => {
    expect(imageSource("http://uploads.example.com/x.png", production)).toEqual({
      kind: "link",
      href: "http://uploads.example.com/x.png",
      warning: "Not shown: this image is not on a secure (https) address",
    });
  });

  it("shows addresses on this machine or a private network as text, never as an image or link", () => {
    for (const [url, text] of [
      ["http://127.0.0.1:8080/x.png", "http://127.0.0.1:8080/x.png"],
      ["http://[::1]/x.png", "http://[::1]/x.png"],
      ["http://10.0.0.5/designs/1.png", "http://10.0.0.5/designs/1.png"],
      ["https://192.168.1.20/x.png", "https://192.168.1.20/x.png"],
      ["https://169.254.169.254/latest/meta-data", "https://169.254.169.254/latest/meta-data"],
      ["https://[fd00::1]/x.png", "https://[fd00::1]/x.png"],
      ["https://[::ffff:127.0.0.1]/x.png", "https://[::ffff:7f00:1]/x.png"],
      ["http://2130706433/x.png", "http://127.0.0.1/x.png"],
      ["http://0x7f.1/x.png", "http://127.0.0.1/x.png"],
      ["https://localhost/x.png", "https://localhost/x.png"],
      ["https://printer.local/x.png", "https://printer.local/x.png"],
      ["https://intranet/x.png", "https://intranet/x.png"],
      ["//10.0.0.5/x.png", "https://10.0.0.5/x.png"],
      ["/\\127.0.0.1/x.png", "https://127.0.0.1/x.png"],
    ]) {
      expect(imageSource(url!, production), url).toEqual({
        kind: "text",
        text,
        warning: "Not shown: this address points into a private or local network",
      });
    }
  });

  it("judges an address without a scheme by the host it reaches", () => {
    expect(imageSource("//cdn.example.com/x.png", production)).toEqual({
      kind: "image",
      src: "https://cdn.example.com/x.png",
    });
  });

  it("never loads or links javascript:, other schemes or garbage", () => {
    for (const url of [
      "javascript:alert(1)",
      " JavaScript:alert(document.cookie)",
      "file:///etc/passwd",
      "ftp://files.example.com/x.png",
      "blob:https://example.com/1",
      "not a url",
      "x.png",
      "",
      "https://",
    ]) {
      const source = imageSource(url, production);
      expect(source, url).toMatchObject({
        kind: "text",
        warning: "Not shown: this is not a web address",
      });
    }
    expect(imageSource("javascript:alert(1)", production)).toMatchObject({
      text: "javascript:alert(1)",
    });
  });

  it("loads small embedded png/jpeg/gif/webp pictures, and nothing else embedded", () => {
    expect(imageSource(SMALL_PNG, production)).toEqual({ kind: "image", src: SMALL_PNG });
    const huge = `data:image/png;base64,${"A".repeat(MAX_DATA_IMAGE_CHARS)}`;
    for (const url of [
      huge,
      "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>",
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "data:image/png;base64,not*base64",
    ]) {
      const source = imageSource(url, production);
      expect(source, url.slice(0, 40)).toMatchObject({
        kind: "text",
        warning: "Not shown: the cart sent this picture inside the address, not as a small image",
      });
    }
    // A long address is cut short for the page.
    const text = (imageSource(huge, production) as { text: string }).text;
    expect(text.length).toBeLessThanOrEqual(121);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("imageSource in development and the demo", () => {
  it("loads http and local addresses too, so local tools keep working", () => {
    for (const url of [
      "http://127.0.0.1:8080/x.png",
      "http://[::1]/x.png",
      "http://10.0.0.5/x.png",
      "http://uploads.example.com/x.png",
      "https://cdn.example.com/x.png",
    ]) {
      expect(imageSource(url, development), url).toEqual({ kind: "image", src: url });
    }
    expect(imageSource("/demo/photo-dog.svg", development)).toEqual({
      kind: "image",
      src: "/demo/photo-dog.svg",
    });
  });

  it("still never loads javascript:, data: beyond small pictures or garbage", () => {
    for (const url of ["javascript:alert(1)", "data:text/html,<b>x</b>", "garbage"]) {
      expect(imageSource(url, development).kind, url).toBe("text");
    }
  });
});

describe("linkTarget", () => {
  it("links https pages and the app's own files without a warning", () => {
    expect(linkTarget("https://files.example.com/designs/ana.png", production)).toEqual({
      kind: "link",
      href: "https://files.example.com/designs/ana.png",
      warning: null,
    });
    expect(linkTarget("/demo/design-necklace.svg", production)).toEqual({
      kind: "link",
      href: "/demo/design-necklace.svg",
      warning: null,
    });
  });

  it("links http with a warning, and shows local addresses, javascript: and data: as text", () => {
    expect(linkTarget("http://files.example.com/x.png", production)).toEqual({
      kind: "link",
      href: "http://files.example.com/x.png",
      warning: "This link is not on a secure (https) address",
    });
    expect(linkTarget("http://127.0.0.1:8080/x.png", production)).toEqual({
      kind: "text",
      text: "http://127.0.0.1:8080/x.png",
      warning: "Not linked: this address points into a private or local network",
    });
    for (const url of ["javascript:alert(1)", SMALL_PNG, "garbage"]) {
      expect(linkTarget(url, production), url).toMatchObject({
        kind: "text",
        warning: "Not linked: this is not a web address",
      });
    }
    expect(linkTarget("http://127.0.0.1:8080/x.png", development)).toEqual({
      kind: "link",
      href: "http://127.0.0.1:8080/x.png",
      warning: null,
    });
    expect(linkTarget("javascript:alert(1)", development).kind).toBe("text");
  });
});

describe("isPublicHost", () => {
  it("tells public hosts from loopback, private and special ones", () => {
    for (const host of ["cdn.shopify.com", "93.184.215.14", "[2606:4700::6810:84e5]"]) {
      expect(isPublicHost(host), host).toBe(true);
    }
    for (const host of [
      "127.0.0.1",
      "0.0.0.0",
      "10.1.2.3",
      "172.20.0.5",
      "100.64.0.1",
      "224.0.0.1",
      "[::]",
      "[::1]",
      "[fe80::1]",
      "[fc00::1]",
      "[::ffff:a00:1]",
      "[2001:db8::1]",
      "[2002:7f00:1::]",
      "localhost",
      "app.localhost",
      "nas.home.arpa",
      "db.internal",
      "localhost.",
      "",
    ]) {
      expect(isPublicHost(host), host).toBe(false);
    }
  });
});

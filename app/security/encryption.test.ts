import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretUnreadableError, openSecret, sealSecret } from "./encryption.server";

const key = randomBytes(32);

describe("sealed secrets", () => {
  it("round-trips, and never stores the plain text", () => {
    const sealed = sealSecret(key, "ck_live_1234567890");
    expect(sealed).not.toContain("ck_live");
    expect(openSecret(key, sealed)).toBe("ck_live_1234567890");
  });

  it("seals the same secret differently each time", () => {
    expect(sealSecret(key, "same")).not.toBe(sealSecret(key, "same"));
  });

  it("refuses a tampered value and a different key", () => {
    const sealed = sealSecret(key, "secret");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => openSecret(key, parts.join("."))).toThrow(SecretUnreadableError);
    expect(() => openSecret(randomBytes(32), sealed)).toThrow(SecretUnreadableError);
    expect(() => openSecret(key, "plain-text")).toThrow(SecretUnreadableError);
  });
});

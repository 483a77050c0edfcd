// What the CustomCat, ShineOn and Printful adapters answer when their credentials, signing secret
// or settings are not usable: the owner's alert (code, message, fix) from validate, and the
// outcome of a submit, cancel or poll that must not call out. The three must read alike, so the
// exact words are pinned here for all of them at once.
import { describe, expect, it } from "vitest";
import type { ProviderConfig, ProviderFactory, ProviderKind } from "../provider";
import { createCustomCatProvider } from "./customcat";
import { providerConfig, purchaseOrder, testDeps } from "./pod-test-fixtures";
import { createPrintfulProvider } from "./printful";
import { ProviderCallError } from "./provider-http";
import { createShineOnProvider } from "./shineon";

const submitted = { poNumber: "PO-1001-1", providerOrderId: "their-1" };
const signal = () => new AbortController().signal;

interface Case {
  kind: ProviderKind;
  factory: ProviderFactory;
  brand: string;
  credentials: Record<string, string>;
  /** What the owner pastes, in the provider's words. */
  what: string;
  /** Settings that parse, and the same with one field wrong. */
  settings: Record<string, unknown>;
  badSettings: Record<string, unknown>;
  /** The settings problem as validate words it, and as submit words it. */
  validateDetail: string;
  submitDetail: string;
}

const CASES: Case[] = [
  {
    kind: "customcat",
    factory: createCustomCatProvider,
    brand: "CustomCat",
    credentials: { apiKey: "cc-key" },
    what: "API key",
    settings: {},
    badSettings: { sandbox: "yes" },
    validateDetail: "sandbox: Invalid input: expected boolean, received string",
    submitDetail: "sandbox: Invalid input: expected boolean, received string",
  },
  {
    kind: "shineon",
    factory: createShineOnProvider,
    brand: "ShineOn",
    credentials: { token: "so-token" },
    what: "API token",
    settings: {},
    badSettings: { test: 1 },
    validateDetail: "test: Invalid input: expected boolean, received number",
    submitDetail: "test: Invalid input: expected boolean, received number",
  },
  {
    kind: "printful",
    factory: createPrintfulProvider,
    brand: "Printful",
    credentials: { token: "pf-token" },
    what: "API token",
    settings: { variantIds: { "TEE-BLK-M": 4012 } },
    // An array index: validate and submit have always written its path differently.
    badSettings: { variantIds: { "TEE-BLK-M": 4012 }, optionIds: [""] },
    validateDetail: "optionIds.0: Too small: expected string to have >=1 characters",
    submitDetail: "optionIds[0]: Too small: expected string to have >=1 characters",
  },
];

function build(c: Case, overrides: Partial<ProviderConfig>) {
  const calls: string[] = [];
  const deps = {
    ...testDeps(),
    fetch: (input: string | URL | Request) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return Promise.reject(new Error("no call may leave without usable credentials"));
    },
  };
  const config = providerConfig({
    kind: c.kind,
    name: "Main account",
    credentials: c.credentials,
    signingSecret: "whsec_1",
    settings: c.settings,
    ...overrides,
  });
  return { provider: c.factory(config, deps), calls };
}

describe.each(CASES)("$brand with unusable credentials or settings", (c) => {
  const missingCredential = {
    code: "provider_credentials_missing",
    message: `No ${c.what} is saved for ${c.brand} ("Main account")`,
    fix: `Paste your ${c.brand} ${c.what} (Settings → Providers → Main account → Edit)`,
    recheck: true,
  };
  const unreadableSettings = {
    code: "provider_settings_invalid",
    message: `The ${c.brand} settings for "Main account" cannot be read (${c.validateDetail})`,
    fix: `Correct the ${c.brand} settings (Settings → Providers → Main account → Edit)`,
    recheck: true,
  };
  const noCredential = `${c.brand}: no ${c.what} is saved`;

  it("reports a missing credential, then unreadable settings, after the order's own problems", () => {
    const { provider } = build(c, { credentials: {}, settings: c.badSettings });
    const po = purchaseOrder();
    expect(provider.validate({ ...po, recipient: { ...po.recipient, name: " " } })).toEqual([
      expect.objectContaining({ code: "address_missing_field", field: "name" }),
      missingCredential,
      unreadableSettings,
    ]);
  });

  it("counts a credential of blanks as missing", () => {
    const blank = Object.fromEntries(Object.keys(c.credentials).map((key) => [key, "  "]));
    const { provider } = build(c, { credentials: blank });
    expect(provider.validate(purchaseOrder())).toEqual([missingCredential]);
  });

  it("refuses to submit, cancel or poll without the credential, and never calls out", async () => {
    const { provider, calls } = build(c, { credentials: {}, settings: c.badSettings });
    expect(await provider.submit(purchaseOrder(), { signal: signal() })).toEqual({
      kind: "rejected",
      reason: noCredential,
    });
    expect(await provider.cancel(submitted, { signal: signal() })).toEqual({
      kind: "refused",
      reason: noCredential,
    });
    const polled = provider.poll!(submitted, { signal: signal() });
    await expect(polled).rejects.toThrow(ProviderCallError);
    await expect(polled).rejects.toThrow(noCredential);
    expect(calls).toEqual([]);
  });

  it("refuses to submit with unreadable settings, and never calls out", async () => {
    const { provider, calls } = build(c, { settings: c.badSettings });
    expect(await provider.submit(purchaseOrder(), { signal: signal() })).toEqual({
      kind: "rejected",
      reason: `${c.brand}: the saved settings cannot be read (${c.submitDetail})`,
    });
    expect(calls).toEqual([]);
  });
});

describe("the signing secret", () => {
  it("is required by ShineOn, whose notification URL carries it, before the settings", async () => {
    const { provider, calls } = build(CASES[1]!, { signingSecret: null, settings: { test: 1 } });
    expect(provider.validate(purchaseOrder())).toEqual([
      {
        code: "provider_secret_missing",
        message:
          'ShineOn ("Main account") has no signing secret, so its shipment notifications could not be verified',
        fix: "Save the provider once to give it a signing secret (Settings → Providers → Main account → Edit, then Save)",
        recheck: true,
      },
      expect.objectContaining({ code: "provider_settings_invalid" }),
    ]);
    expect(await provider.submit(purchaseOrder(), { signal: signal() })).toEqual({
      kind: "rejected",
      reason: "ShineOn: no signing secret is set",
    });
    expect(calls).toEqual([]);
  });

  it("is asked for after the credential", async () => {
    const { provider } = build(CASES[1]!, { credentials: {}, signingSecret: null });
    expect(provider.validate(purchaseOrder()).map((p) => p.code)).toEqual([
      "provider_credentials_missing",
      "provider_secret_missing",
    ]);
    expect(await provider.submit(purchaseOrder(), { signal: signal() })).toEqual({
      kind: "rejected",
      reason: "ShineOn: no API token is saved",
    });
  });

  it("is not required to send to CustomCat or Printful", () => {
    for (const c of [CASES[0]!, CASES[2]!]) {
      const { provider } = build(c, { signingSecret: null });
      expect(provider.validate(purchaseOrder())).toEqual([]);
    }
  });
});

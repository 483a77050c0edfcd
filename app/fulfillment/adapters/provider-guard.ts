// The credential and settings checks of the HTTP adapters (CustomCat, ShineOn, Printful), kept in
// one place so a missing key or an unreadable setting gives the owner the same alert, fix and
// outcome whichever provider it is. An adapter names only what is its own: the credential fields
// it needs, whether its orders carry the signing secret, and its settings schema.
import type { z } from "zod";
import { editProvider } from "~/orders/core/alerts";
import { describeZodError } from "../protocol";
import type { CancelOutcome, ProviderConfig, SubmitOutcome, ValidationProblem } from "../provider";
import { ProviderCallError } from "./provider-http";

export interface GuardSpec<Field extends string, Schema extends z.ZodType> {
  /** The provider's name as owners know it ("CustomCat"), not the owner's name for this one. */
  brand: string;
  /** Each credential field the adapter needs, with what the provider's dashboard calls it. */
  credentials: Record<Field, string>;
  /**
   * The secret rides in every order (a notification URL's token), so an order sent without it
   * could never report back.
   */
  signingSecretRequired?: boolean;
  settings: Schema;
}

export interface ProviderGuard<Field extends string, Settings> {
  /** Trimmed; "" when not saved. */
  credentials: Record<Field, string>;
  /** "" when none is set. */
  signingSecret: string;
  /** null when the saved settings cannot be read. */
  settings: Settings | null;
  /** What validate reports, after the order's own problems. */
  problems(): ValidationProblem[];
  /** Whether submit may call out, with the settings it sends by. */
  readyToSubmit(): { ok: true; settings: Settings } | { ok: false; outcome: SubmitOutcome };
  /** Why cancel must not call out; null when it may. */
  cancelRefusal(): CancelOutcome | null;
  /** Throws the poller's error when poll must not call out. */
  assertCanPoll(): void;
}

export function providerGuard<Field extends string, Schema extends z.ZodType>(
  config: ProviderConfig,
  spec: GuardSpec<Field, Schema>,
): ProviderGuard<Field, z.output<Schema>> {
  const { brand } = spec;
  const fields = Object.keys(spec.credentials) as Field[];
  const credentials = Object.fromEntries(
    fields.map((field) => [field, config.credentials[field]?.trim() ?? ""]),
  ) as Record<Field, string>;
  const signingSecret = config.signingSecret ?? "";
  const parsed = spec.settings.safeParse(config.settings);
  const missing = fields.filter((field) => !credentials[field]);
  const secretMissing = spec.signingSecretRequired === true && !signingSecret;
  // Cancel and poll need only the credentials: the secret and the settings shape what is sent.
  const noCredential = (): string | null =>
    missing[0] === undefined ? null : `${brand}: no ${spec.credentials[missing[0]]} is saved`;

  return {
    credentials,
    signingSecret,
    settings: parsed.success ? parsed.data : null,

    problems() {
      const problems = missing.map((field) =>
        credentialsProblem(brand, config.name, spec.credentials[field]),
      );
      if (secretMissing) {
        problems.push({
          code: "provider_secret_missing",
          message: `${brand} ("${config.name}") has no signing secret, so its shipment notifications could not be verified`,
          fix: `Save the provider once to give it a signing secret (${editProvider(config.name)}, then Save)`,
          recheck: true,
        });
      }
      if (!parsed.success) problems.push(settingsProblem(brand, config.name, parsed.error));
      return problems;
    },

    readyToSubmit() {
      const reason = noCredential();
      if (reason) return { ok: false, outcome: { kind: "rejected", reason } };
      if (secretMissing) {
        return {
          ok: false,
          outcome: { kind: "rejected", reason: `${brand}: no signing secret is set` },
        };
      }
      if (!parsed.success) {
        return {
          ok: false,
          outcome: {
            kind: "rejected",
            reason: `${brand}: the saved settings cannot be read (${describeZodError(parsed.error)})`,
          },
        };
      }
      return { ok: true, settings: parsed.data };
    },

    cancelRefusal() {
      const reason = noCredential();
      return reason ? { kind: "refused", reason } : null;
    },

    assertCanPoll() {
      const reason = noCredential();
      if (reason) throw new ProviderCallError(reason);
    },
  };
}

/** The settings an owner saved cannot be read; the order must not leave until they are fixed. */
function settingsProblem(
  providerName: string,
  configName: string,
  error: z.ZodError,
): ValidationProblem {
  const detail = error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
  return {
    code: "provider_settings_invalid",
    message: `The ${providerName} settings for "${configName}" cannot be read (${detail})`,
    fix: `Correct the ${providerName} settings (${editProvider(configName)})`,
    recheck: true,
  };
}

function credentialsProblem(
  providerName: string,
  configName: string,
  what: string,
): ValidationProblem {
  return {
    code: "provider_credentials_missing",
    message: `No ${what} is saved for ${providerName} ("${configName}")`,
    fix: `Paste your ${providerName} ${what} (${editProvider(configName)})`,
    recheck: true,
  };
}

// Every alert an order in Error can carry, by its stable code. The code is what the catalog filters
// on and what integrations match; the message on the order says what happened to this order, and
// the steps below say how an owner resolves that kind of problem. Not server-only: the catalog's
// filter and the order page read it in the browser.
import type { OrderAlert, ProcessingMode } from "./model";

/**
 * The controls a fix sends the owner to, by the names the page gives them: Settings → Providers
 * labels its routing card, its button and each provider's Edit with these, so a fix cannot name a
 * control that is not there.
 */
export const PROVIDERS_PAGE = "Settings → Providers";
export const ROUTING_RULES_TITLE = "Routing rules";
export const ADD_RULE_LABEL = "Add rule";
export const EDIT_PROVIDER_LABEL = "Edit";
export const ADD_ROUTING_RULE = `${PROVIDERS_PAGE} → ${ROUTING_RULES_TITLE} → ${ADD_RULE_LABEL}`;
/** Where one provider's settings, credentials and secret are changed. */
export function editProvider(name: string): string {
  return `${PROVIDERS_PAGE} → ${name} → ${EDIT_PROVIDER_LABEL}`;
}

/**
 * The control that checks an order in Error again once its cause is fixed, as the shop's own menu
 * names it: Revalidate exists only for shops that process manually (decision 33), so an automatic
 * shop's owner reprocesses instead.
 */
export function recheckControl(mode: ProcessingMode): "Revalidate" | "Reprocess" {
  return mode === "manual" ? "Revalidate" : "Reprocess";
}

/**
 * A problem's fix as the owner reads it. A fix marked `recheck` says only what to change (in the
 * provider's settings or the routing rules, not on the order) and is completed here with the
 * control that checks the order again, so the wording is the same for every provider.
 */
export function fixFor(problem: { fix: string; recheck?: boolean }, mode: ProcessingMode): string {
  return problem.recheck ? `${problem.fix}, then ${recheckControl(mode)}` : problem.fix;
}

/** The last step of a fix made outside the order; the order's own fix names the shop's control. */
const RECHECK_STEP =
  "Check the order again: Revalidate in a shop that processes orders manually, Reprocess in one that processes them automatically.";

export interface AlertKind {
  /** Short name for filters and headings. */
  title: string;
  /** What to do, in order. */
  steps: readonly string[];
}

export const ALERT_KINDS = {
  cart_deleted: {
    title: "Deleted in the cart after it was sent",
    steps: [
      "Ask the provider to cancel the order if it should not be made or shipped.",
      "Archive the order once the provider has answered, so it is kept for reference.",
    ],
  },
  changed_after_sent: {
    title: "Changed in the cart after it was sent",
    steps: [
      "Read what changed: the provider still has the version it was sent.",
      "Ask the provider to update the order, or cancel it there and send it again, or keep it as sent.",
    ],
  },
  no_items: {
    title: "No items to fulfil",
    steps: [
      "Open the order in the cart and check that it still has items.",
      "Reset the order so it is read again as the cart has it.",
    ],
  },
  no_provider: {
    title: "No provider for an item",
    steps: [
      `Add a rule for the item's SKU (${ADD_ROUTING_RULE}), or tick Default provider on one of your providers (${editProvider("the provider")}).`,
      RECHECK_STEP,
    ],
  },
  address_missing_field: {
    title: "Shipping address incomplete",
    steps: [
      "Use Edit (or Edit Order in the cart) to add the missing part of the shipping address.",
      "Reprocess the order.",
    ],
  },
  address_field_too_long: {
    title: "Address field too long for the provider",
    steps: [
      "Use Edit to shorten the field (move an apartment or suite to address line 2).",
      "Reprocess the order.",
    ],
  },
  country_not_supported: {
    title: "Provider does not ship to the country",
    steps: [`Send the items to a provider that ships there: ${ADD_ROUTING_RULE}.`, RECHECK_STEP],
  },
  design_file_missing: {
    title: "Design file missing",
    steps: [
      "Open the item's personalisation and attach the final design file (Edit Design).",
      "Reprocess the order.",
    ],
  },
  personalisation_missing: {
    title: "Personalisation missing",
    steps: ["Add the personalisation the provider needs (Edit Design).", "Reprocess the order."],
  },
  quantity_too_large: {
    title: "Quantity above the provider's limit",
    steps: ["Split the line or lower the quantity in the cart.", "Reprocess the order."],
  },
  variant_not_mapped: {
    title: "Product not mapped to the provider",
    steps: [
      `Add a rule for the SKU with the provider's product (${ADD_ROUTING_RULE}).`,
      RECHECK_STEP,
    ],
  },
  tax_number_required: {
    title: "Tax number required",
    steps: [
      "Add the customer's tax number to the order in the cart (it syncs back).",
      "Reprocess the order.",
    ],
  },
  provider_settings_invalid: {
    title: "Provider settings invalid",
    steps: [`Correct the provider's settings (${editProvider("the provider")}).`, RECHECK_STEP],
  },
  provider_credentials_missing: {
    title: "Provider credentials missing",
    steps: [
      `Enter the provider's API credentials (${editProvider("the provider")}).`,
      "Reprocess the order.",
    ],
  },
  provider_secret_missing: {
    title: "Provider secret missing",
    steps: [
      `Save the provider once (${editProvider("the provider")}, then Save): saving gives it a signing secret.`,
      RECHECK_STEP,
    ],
  },
  provider_unavailable: {
    title: "Provider unreachable",
    steps: [
      "Check the provider's status page or ask them whether their service is up.",
      "Reprocess the order: it resends the same purchase order, which the provider recognises.",
    ],
  },
  provider_rejected: {
    title: "Provider rejected the order",
    steps: [
      "Read the provider's reason on the order.",
      `Fix what it objects to: Edit on the order, or the provider's settings (${editProvider("the provider")}).`,
      "Reprocess the order.",
    ],
  },
  provider_cancelled: {
    title: "Provider cancelled the order",
    steps: [
      "Contact the provider to learn why it cancelled.",
      "Reset the order to send it again, or Archive it if it should not be made.",
    ],
  },
  provider_cancel_refused: {
    title: "Provider could not cancel",
    steps: [
      "Contact the provider to stop the order by hand.",
      "If it ships anyway, arrange a return with the customer.",
    ],
  },
  abandoned: {
    title: "Nothing shipped for too long",
    steps: [
      "Ask the provider whether the order is still being made, or was lost.",
      "Reprocess the order: it is Open again and Orderlane asks the provider for tracking again.",
      "Archive it instead if it will never ship.",
    ],
  },
} as const satisfies Record<string, AlertKind>;

export type AlertCode = keyof typeof ALERT_KINDS;

export const ALERT_CODES = Object.keys(ALERT_KINDS) as AlertCode[];

export function isAlertCode(code: string): code is AlertCode {
  return Object.prototype.hasOwnProperty.call(ALERT_KINDS, code);
}

const UNKNOWN_ALERT: AlertKind = {
  title: "Problem",
  steps: ["Read the message on the order, fix what it describes, then Reprocess."],
};

/** The kind of an alert; an unknown code (from an older version) still gets generic steps. */
export function alertKind(code: string): AlertKind {
  return isAlertCode(code) ? ALERT_KINDS[code] : UNKNOWN_ALERT;
}

/** An order's alert: what happened to this order, and the fix the owner reads first. */
export function alertOf(code: AlertCode, message: string, fix: string): OrderAlert {
  return { code, message, fix };
}

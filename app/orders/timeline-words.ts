// How a timeline entry reads on the order page: a title in sentence case (capital first letter,
// past tense: what happened) and its message in the owner's words. Entries are stored with their
// action code and the message written at the time; entries written before the messages were
// worded for owners may still hold ISO times, field names or cart status codes, so the message is
// also cleaned here when it is shown, for old and new entries alike.
import { cartName, cartStatusWords, codeAsWords } from "~/ui/cart-words";
import { editedFieldWords } from "./order-edit";

/** Every action code the app writes to the timeline, as its title. */
export const TIMELINE_TITLES: Readonly<Record<string, string>> = {
  // Lifecycle actions (core/lifecycle.ts) as things that happened
  submit: "Submitted",
  fail_validation: "Validation failed",
  schedule_process: "Scheduled for processing",
  hold: "Put on hold",
  release: "Released from hold",
  provider_reject: "Refused by a provider",
  close: "Closed",
  edit: "Edited",
  update_shipment: "Shipment updated",
  reprocess: "Reprocessed",
  revalidate: "Revalidated",
  reset: "Reset",
  archive: "Archived",
  delete: "Deleted",
  force_delete: "Force deleted",
  cart_delete: "Deleted in the cart",
  abandon: "Abandoned",
  update_at_provider: "Update asked of the provider",
  cancel_and_resend: "Cancelled and sent again",
  keep_as_sent: "Kept as sent",
  // Written by the flows around the lifecycle
  import: "Imported",
  imported: "Imported",
  cart_updated: "Updated in the cart",
  cart_deleted: "Deleted in the cart",
  cart_hold: "Put on hold in the cart",
  cart_release: "Released in the cart",
  cart_cancel: "Cancelled in the cart",
  countdown_started: "Countdown started",
  countdown_stopped: "Countdown stopped",
  provider_accepted: "Accepted by the provider",
  provider_failed: "Not accepted by the provider",
  provider_cancelled: "Cancelled by the provider",
  provider_cancel_refused: "Provider could not cancel",
  fulfillment_cancelled: "Fulfillment cancelled",
  shipment: "Shipped",
  tracking_pushed: "Tracking sent to the cart",
  tracking_push_failed: "Tracking not accepted by the cart",
  cart_told_sent: "Cart told it was sent",
  cart_not_told_sent: "Cart not told it was sent",
  changed_after_sent: "Changed in the cart after it was sent",
  changed_after_sent_cleared: "Changed back in the cart",
  customer_redacted: "Customer data erased",
  customer_data_requested: "Customer data requested",
  // The shop's own statuses, the invoice number and notes (decisions 0046, 0047)
  status_changed: "Status changed",
  status_refused: "Status not changed: the cart refused",
  invoice_saved: "Invoice number saved",
  invoice_cleared: "Invoice number removed",
  invoice_refused: "Invoice number not saved: the cart refused",
  note_added: "Internal note added",
  customer_note_added: "Note for the customer added",
  note_refused: "Note not added: the cart refused",
};

/** The entry's title; an action without a title yet still reads as words with a capital. */
export function timelineTitle(action: string): string {
  return TIMELINE_TITLES[action] ?? codeAsWords(action);
}

/** An ISO 8601 time as written by `Date.toISOString()` (and near variants). */
export const ISO_TIME =
  /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;

export interface MessageContext {
  action: string;
  platform: string;
  data: Record<string, unknown> | null;
  time(at: Date): string;
}

/** A stored message as the owner reads it (see the file's comment). */
export function timelineMessage(message: string | null, context: MessageContext): string | null {
  if (!message) return null;
  let text = message;
  // "Edited shippingAddress, note" (before the edit said it in words)
  const fields = context.data?.fields;
  if (context.action === "edit" && Array.isArray(fields) && /^Edited /.test(text)) {
    text = `Changed the ${editedFieldWords(fields.filter((f): f is string => typeof f === "string"))}`;
  }
  // "(cart status paid → paid, on_hold)" (a cart's status codes)
  text = text.replace(/\(cart status (.+?) → (.+?)\)$/, (_all, from: string, to: string) => {
    const words = (raw: string) => cartStatusWords(context.platform, raw);
    return `(in ${cartName(context.platform)}: ${words(from)} → ${words(to)})`;
  });
  // "(customers/redact)" (the webhook topic that asked)
  text = text.replace(/\s*\(customers\/redact\)/, "");
  // ISO times, in the shop's time zone
  text = text.replace(ISO_TIME, (iso) => {
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? iso : context.time(at);
  });
  text = text.replace(
    /^The order is ready for automatic submission at /,
    "Ready for automatic submission on ",
  );
  return text;
}

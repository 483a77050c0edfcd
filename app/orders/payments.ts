// An order's payment status and amounts, worked out from its transactions (DESIGN §9: never stored
// beside them). Amounts are counted in the currency's minor units, so 0.1 + 0.2 is 0.30 exactly.

export type PaymentStatus =
  "unpaid" | "authorised" | "partly_captured" | "paid" | "partly_refunded" | "refunded" | "voided";

export const PAYMENT_STATUS_LABELS: Readonly<Record<PaymentStatus, string>> = {
  unpaid: "Not paid",
  authorised: "Authorised",
  partly_captured: "Partly captured",
  paid: "Paid",
  partly_refunded: "Partly refunded",
  refunded: "Refunded",
  voided: "Voided",
};

export interface PaymentRow {
  kind: "authorization" | "capture" | "refund" | "void";
  status: string;
  amount: string;
  cartTransactionId: string | null;
  parentCartTransactionId: string | null;
}

/** How many decimals the currency has (JPY 0, EUR 2, KWD 3), as the platform's Intl knows it. */
export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** A decimal string in minor units; null when it is not a plain decimal with at most `digits`. */
export function toMinor(amount: string, digits: number): bigint | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > digits) return null;
  const minor = BigInt(whole! + fraction.padEnd(digits, "0").slice(0, digits));
  return sign === "-" ? -minor : minor;
}

export function fromMinor(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? "" : `.${text.slice(-digits)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

export interface PaymentSummary {
  status: PaymentStatus;
  capturable: bigint;
  captured: bigint;
  refunded: bigint;
  /** The authorisation a capture goes against (the cart's id), and what is left on it. */
  openAuthorization: { cartTransactionId: string; remaining: bigint } | null;
}

const succeeded = (row: PaymentRow) => row.status === "success";

/** Stored amounts are numeric(14,4): read them at the currency's precision, rounding nothing away. */
function minorOf(row: PaymentRow, digits: number): bigint {
  const [whole = "0", fraction = ""] = row.amount.split(".");
  return toMinor(`${whole}.${fraction.slice(0, digits)}`, digits) ?? 0n;
}

export function summarisePayments(rows: readonly PaymentRow[], currency: string): PaymentSummary {
  const digits = currencyDigits(currency);
  const ok = rows.filter(succeeded);
  const sum = (kind: PaymentRow["kind"]) =>
    ok.filter((r) => r.kind === kind).reduce((total, r) => total + minorOf(r, digits), 0n);
  const captured = sum("capture");
  const refunded = sum("refund");

  let capturable = 0n;
  let openAuthorization: PaymentSummary["openAuthorization"] = null;
  let voided = false;
  const auths = ok.filter((r) => r.kind === "authorization");
  const authIds = new Set(auths.map((a) => a.cartTransactionId).filter((id) => id !== null));
  // Captures a cart reports without naming their authorisation (older rows, some gateways) are
  // taken from the authorisations in order, so they are never counted as still capturable.
  let unattributed = ok
    .filter((r) => r.kind === "capture" && !authIds.has(r.parentCartTransactionId ?? ""))
    .reduce((total, r) => total + minorOf(r, digits), 0n);
  for (const auth of auths) {
    const id = auth.cartTransactionId;
    const children = ok.filter((r) => id !== null && r.parentCartTransactionId === id);
    if (children.some((r) => r.kind === "void")) {
      voided = true;
      continue;
    }
    const taken = children
      .filter((r) => r.kind === "capture")
      .reduce((total, r) => total + minorOf(r, digits), 0n);
    let remaining = minorOf(auth, digits) - taken;
    const absorbed = unattributed < remaining ? unattributed : remaining > 0n ? remaining : 0n;
    remaining -= absorbed;
    unattributed -= absorbed;
    if (remaining > 0n) {
      capturable += remaining;
      if (!openAuthorization && id) openAuthorization = { cartTransactionId: id, remaining };
    }
  }

  const status: PaymentStatus =
    refunded > 0n && refunded >= captured
      ? "refunded"
      : refunded > 0n
        ? "partly_refunded"
        : captured > 0n && capturable > 0n
          ? "partly_captured"
          : captured > 0n
            ? "paid"
            : capturable > 0n
              ? "authorised"
              : voided
                ? "voided"
                : "unpaid";
  return { status, capturable, captured, refunded, openAuthorization };
}

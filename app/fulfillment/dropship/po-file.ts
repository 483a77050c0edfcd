// The two CSV files a file-based distributor exchanges with us: the purchase-order file we write
// (one row per item, in the columns and headers the owner set for that distributor) and the
// shipments file the distributor publishes (PO number, SKU, quantity, carrier, tracking number).
// Pure: no I/O here, so the shapes are tested without a server.
import { z } from "zod";
import type { PurchaseOrder } from "../provider";

/** What a purchase-order file column can hold. */
export const PO_FILE_FIELDS = [
  "po_number",
  "order_number",
  "sku",
  "quantity",
  "title",
  "name",
  "company",
  "address1",
  "address2",
  "city",
  "province",
  "province_code",
  "zip",
  "country",
  "country_code",
  "phone",
  "email",
  "shipping_method",
  "idempotency_key",
] as const;
export type PoFileField = (typeof PO_FILE_FIELDS)[number];

export const PO_FILE_FIELD_LABELS: Record<PoFileField, string> = {
  po_number: "PO number",
  order_number: "Order number",
  sku: "Distributor SKU",
  quantity: "Quantity",
  title: "Product name",
  name: "Recipient name",
  company: "Company",
  address1: "Address line 1",
  address2: "Address line 2",
  city: "City",
  province: "State or province",
  province_code: "State or province code",
  zip: "Postal code",
  country: "Country",
  country_code: "Country code",
  phone: "Phone",
  email: "Email",
  shipping_method: "Shipping method",
  idempotency_key: "Request key",
};

export const poFileColumnSchema = z.object({
  header: z.string().trim().min(1).max(100),
  field: z.enum(PO_FILE_FIELDS),
});
export type PoFileColumn = z.infer<typeof poFileColumnSchema>;

export const poFileColumnsSchema = z
  .array(poFileColumnSchema)
  .min(1)
  .max(40)
  .refine((cols) => cols.some((c) => c.field === "po_number"), "A column must hold the PO number")
  .refine((cols) => cols.some((c) => c.field === "sku"), "A column must hold the SKU")
  .refine((cols) => cols.some((c) => c.field === "quantity"), "A column must hold the quantity")
  .refine(
    (cols) => new Set(cols.map((c) => c.header.toLowerCase())).size === cols.length,
    "Two columns have the same header",
  );

/** The columns a new file-based distributor starts with; the owner renames or reorders them. */
export const DEFAULT_PO_FILE_COLUMNS: PoFileColumn[] = [
  { header: "PO Number", field: "po_number" },
  { header: "SKU", field: "sku" },
  { header: "Quantity", field: "quantity" },
  { header: "Ship To Name", field: "name" },
  { header: "Company", field: "company" },
  { header: "Address 1", field: "address1" },
  { header: "Address 2", field: "address2" },
  { header: "City", field: "city" },
  { header: "State", field: "province_code" },
  { header: "Zip", field: "zip" },
  { header: "Country", field: "country_code" },
  { header: "Phone", field: "phone" },
  { header: "Email", field: "email" },
  { header: "Ship Method", field: "shipping_method" },
];

/** The file's name in the distributor's folder: the PO number, so a retry replaces the same file. */
export function poFileName(poNumber: string): string {
  return `${poNumber.replace(/[^A-Za-z0-9._-]/g, "_")}.csv`;
}

function cell(value: string | number | null | undefined): string {
  const text = value == null ? "" : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function valueOf(
  po: PurchaseOrder,
  item: PurchaseOrder["items"][number],
  field: PoFileField,
): string | number | null | undefined {
  const r = po.recipient;
  switch (field) {
    case "po_number":
      return po.poNumber;
    case "order_number":
      return po.orderNumber;
    case "sku":
      return item.providerProduct || item.sku;
    case "quantity":
      return item.quantity;
    case "title":
      return item.title;
    case "name":
      return r.name;
    case "company":
      return r.company;
    case "address1":
      return r.address1;
    case "address2":
      return r.address2;
    case "city":
      return r.city;
    case "province":
      return r.province;
    case "province_code":
      return r.provinceCode;
    case "zip":
      return r.zip;
    case "country":
      return r.country;
    case "country_code":
      return r.countryCode?.toUpperCase();
    case "phone":
      return r.phone;
    case "email":
      return r.email;
    case "shipping_method":
      return po.shippingMethod;
    case "idempotency_key":
      return po.idempotencyKey;
  }
}

/** The purchase-order file: a header row, then one row per item, CRLF as RFC 4180 has it. */
export function purchaseOrderCsv(po: PurchaseOrder, columns: PoFileColumn[]): string {
  const rows = [
    columns.map((c) => cell(c.header)).join(","),
    ...po.items.map((item) => columns.map((c) => cell(valueOf(po, item, c.field))).join(",")),
  ];
  return `${rows.join("\r\n")}\r\n`;
}

/** Which header of the shipments file holds what; matched without regard to case or spacing. */
export interface ShipmentsColumns {
  poNumber: string;
  sku: string;
  quantity: string;
  carrier: string;
  trackingNumber: string;
}

export const DEFAULT_SHIPMENTS_COLUMNS: ShipmentsColumns = {
  poNumber: "PO Number",
  sku: "SKU",
  quantity: "Quantity",
  carrier: "Carrier",
  trackingNumber: "Tracking Number",
};

export interface ShipmentsFileRow {
  line: number;
  poNumber: string;
  sku: string;
  quantity: number;
  carrier: string | null;
  trackingNumber: string;
}

export type ShipmentsRowResult =
  { ok: true; row: ShipmentsFileRow } | { ok: false; line: number; reason: string };

const normal = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");

/**
 * Reads one record of the shipments file against its header row. A row that cannot be read is a
 * reason with its line number, never a stop: the distributor's other parcels still count.
 */
export function shipmentsRowReader(
  header: string[],
  columns: ShipmentsColumns = DEFAULT_SHIPMENTS_COLUMNS,
):
  | { ok: true; read: (record: string[], line: number) => ShipmentsRowResult }
  | {
      ok: false;
      reason: string;
    } {
  const names = header.map((h) => normal(h.replace(/^\uFEFF/, "")));
  const at = (name: string) => names.indexOf(normal(name));
  const index = {
    poNumber: at(columns.poNumber),
    sku: at(columns.sku),
    quantity: at(columns.quantity),
    carrier: at(columns.carrier),
    trackingNumber: at(columns.trackingNumber),
  };
  const missing = (["poNumber", "sku", "quantity", "trackingNumber"] as const).filter(
    (key) => index[key] < 0,
  );
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `The shipments file has no ${missing.map((k) => `"${columns[k]}"`).join(", ")} column`,
    };
  }
  return {
    ok: true,
    read(record, line) {
      const get = (i: number) => (i >= 0 ? (record[i] ?? "").trim() : "");
      const poNumber = get(index.poNumber);
      const trackingNumber = get(index.trackingNumber);
      const sku = get(index.sku);
      const quantityText = get(index.quantity);
      if (!poNumber) return { ok: false, line, reason: "no PO number" };
      if (!trackingNumber) return { ok: false, line, reason: "no tracking number" };
      if (!sku) return { ok: false, line, reason: "no SKU" };
      const quantity = Number(quantityText);
      if (!/^\d+$/.test(quantityText) || quantity < 1) {
        return { ok: false, line, reason: `quantity "${quantityText}" is not a whole number` };
      }
      return {
        ok: true,
        row: {
          line,
          poNumber,
          sku,
          quantity,
          carrier: get(index.carrier) || null,
          trackingNumber,
        },
      };
    },
  };
}

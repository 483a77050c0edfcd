// A distributor that drop-ships for the shop. Its purchase orders go one of two ways, as the owner
// set it up: through our open HTTP provider protocol (like any provider), or as a CSV file in the
// owner's column layout, uploaded to the distributor's FTP/FTPS/SFTP folder. Tracking comes back as
// signed events (protocol) or from the shipments file the distributor publishes, read by the
// drop-ship tracking poll (dropship/tracking-poll.server.ts).
import { z } from "zod";
import {
  DEFAULT_PO_FILE_COLUMNS,
  DEFAULT_SHIPMENTS_COLUMNS,
  poFileColumnsSchema,
  poFileName,
  purchaseOrderCsv,
} from "../dropship/po-file";
import {
  FILE_PROTOCOLS,
  FileTransferError,
  uploadFile,
  type FileServer,
} from "../dropship/file-transfer.server";
import type { FulfillmentProvider, ProviderConfig, ProviderDeps } from "../provider";
import { checkLimits } from "../validation";
import { createOpenProtocolProvider } from "./open-protocol";
import { OutboundRefusedError, type OutboundPolicy } from "~/security/outbound.server";

/** How often a distributor's tracking is looked for, unless its settings say otherwise. */
export const DEFAULT_TRACKING_POLL_HOURS = 4;

const fileServerSchema = z.object({
  protocol: z.enum(FILE_PROTOCOLS),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535).nullish(),
  username: z.string().max(200).default(""),
});

/** `settings.orders` of a distributor: how its purchase orders go and its tracking comes back. */
export const distributorOrdersSchema = z.object({
  delivery: z.enum(["http", "file"]).default("http"),
  /** With file delivery: the server and folder purchase-order files are written to. */
  poServer: fileServerSchema.nullish(),
  poFolder: z.string().max(500).default("/orders"),
  poColumns: poFileColumnsSchema.default(DEFAULT_PO_FILE_COLUMNS),
  tracking: z.enum(["events", "file"]).default("events"),
  /** With file tracking: the shipments file, on the purchase-order server. */
  shipmentsPath: z.string().max(500).default("/shipments/shipments.csv"),
  shipmentsColumns: z
    .object({
      poNumber: z.string().min(1).max(100),
      sku: z.string().min(1).max(100),
      quantity: z.string().min(1).max(100),
      carrier: z.string().min(1).max(100),
      trackingNumber: z.string().min(1).max(100),
    })
    .default(DEFAULT_SHIPMENTS_COLUMNS),
  pollEveryHours: z.number().int().min(1).max(48).default(DEFAULT_TRACKING_POLL_HOURS),
  /** The distributor answers the protocol's stock query (Check stock now). */
  liveStock: z.boolean().default(false),
  /** Countries it ships to (ISO codes); empty means everywhere. */
  countries: z.array(z.string().length(2)).default([]),
  /** Longest address line it takes (its PO system's field size). */
  maxAddressLength: z.number().int().min(10).max(300).default(35),
});
export type DistributorOrders = z.infer<typeof distributorOrdersSchema>;

/** A distributor's order settings; what is missing or unreadable takes its default. */
export function distributorOrders(settings: Record<string, unknown>): DistributorOrders {
  const parsed = distributorOrdersSchema.safeParse(settings.orders ?? {});
  return parsed.success ? parsed.data : distributorOrdersSchema.parse({});
}

/** The purchase-order file server, with the password from the distributor's sealed credentials. */
export function poFileServer(config: ProviderConfig): FileServer | null {
  const orders = distributorOrders(config.settings);
  if (!orders.poServer) return null;
  return {
    protocol: orders.poServer.protocol,
    host: orders.poServer.host,
    port: orders.poServer.port ?? null,
    username: orders.poServer.username,
    password: config.credentials.ordersPassword ?? "",
  };
}

export function createDistributorProvider(
  config: ProviderConfig,
  deps: ProviderDeps,
  outbound: OutboundPolicy,
): FulfillmentProvider {
  const orders = distributorOrders(config.settings);
  const protocol = createOpenProtocolProvider(config, deps);
  const name = config.name;
  const viaFile = orders.delivery === "file";

  return {
    kind: "distributor",

    validate(po) {
      const max = orders.maxAddressLength;
      return checkLimits(po, {
        providerName: name,
        required: ["name", "address1", "city", "zip", "countryCode"],
        maxLength: { name: max, company: max, address1: max, address2: max, city: max },
        countries: orders.countries.length > 0 ? orders.countries : null,
        designFileRequired: false,
      });
    },

    async submit(po, { signal }) {
      if (!viaFile) return protocol.submit(po, { signal });
      const server = poFileServer(config);
      if (!server) {
        return { kind: "rejected", reason: `${name} has no server set for purchase-order files` };
      }
      const path = `${orders.poFolder.replace(/\/+$/, "")}/${poFileName(po.poNumber)}`;
      try {
        await uploadFile(server, outbound, path, purchaseOrderCsv(po, orders.poColumns), {
          signal,
          timeoutMs: deps.timeoutMs,
        });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        // An address the app may not call stays refused however often it is tried.
        if (err instanceof OutboundRefusedError) return { kind: "rejected", reason };
        if (err instanceof FileTransferError) return { kind: "unavailable", reason };
        return { kind: "unavailable", reason: `${name}: ${reason}` };
      }
      // The file's name is the distributor's reference: it is what its shipments file echoes.
      return { kind: "accepted", providerOrderId: po.poNumber };
    },

    async cancel(order, { signal }) {
      if (!viaFile) return protocol.cancel(order, { signal });
      return {
        kind: "refused",
        reason: `${name} takes purchase orders as files; ask the distributor to cancel PO ${order.poNumber}`,
      };
    },

    parseEvent(event) {
      return protocol.parseEvent(event);
    },

    ...(orders.liveStock && !viaFile
      ? {
          checkStock: (skus: string[], options: { signal: AbortSignal }) =>
            protocol.checkStock!(skus, options),
        }
      : {}),
  };
}

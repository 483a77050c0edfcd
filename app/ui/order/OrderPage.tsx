// The order page: everything the owner reviews before an order goes to its providers, and every
// action the lifecycle table allows on it. All decisions (what is allowed, and why not) come from
// the server; the page only shows them and posts the owner's choice back.
import { useEffect, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  InlineStack,
  Layout,
  Link,
  Modal,
  Page,
  Text,
} from "@shopify/polaris";
import { useLiveUpdates } from "~/ui/useLiveUpdates";
import { Countdown } from "./Countdown";
import { DesignModal, type DesignSubmit } from "./DesignModal";
import { EditOrderModal, type OrderEditInput } from "./EditOrderModal";
import { ItemCard } from "./ItemCard";
import { InvoiceCard, NotesCard, OrderStatusCard } from "./OrderManagement";
import { ShipmentModal, type ShipmentSubmit } from "./ShipmentModal";
import { PaymentsCard } from "./PaymentsCard";
import { CancelOrderModal } from "./CancelOrderModal";
import { appBridgeToast, cartAdminTarget } from "./notify";
import { StatusHelpModal } from "./StatusHelp";
import { alertLabel } from "~/ui/CatalogFilters";
import { cartName } from "~/ui/cart-words";
import type {
  CartChangeAction,
  CartChangeView,
  MenuAction,
  OrderPageItem,
  OrderPageResult,
  OrderPageView,
} from "./types";
import { AddressBlock, ShipmentList, SubmissionList, Timeline, Totals } from "./Sections";

type Open =
  | { kind: "edit" }
  | { kind: "design"; item: OrderPageItem }
  | { kind: "shipment"; item: OrderPageItem | null }
  | { kind: "confirm"; action: "delete" | "force_delete" | "reset" }
  | { kind: "cancel" }
  | { kind: "resend" }
  | { kind: "help" };

const CONFIRM_TEXT: Record<"delete" | "force_delete" | "reset", { title: string; body: string }> = {
  delete: {
    title: "Delete this order?",
    body: "The order and its history are removed from Orderlane. If the cart still has it, a later import brings it back as a new order.",
  },
  force_delete: {
    title: "Force delete this order?",
    body: "Something was already sent to a provider for this order. Orderlane will forget it: the provider may still make and ship it, and its shipment and tracking will have no order to land on here. Archive keeps the order instead.",
  },
  reset: {
    title: "Reset this order?",
    body: "All processing, rule results and manual edits are undone, and the order starts again as if it had just been imported.",
  },
};

export function OrderPage({ page }: { page: OrderPageView }) {
  useLiveUpdates();
  const fetcher = useFetcher<OrderPageResult>();
  const [open, setOpen] = useState<Open | null>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "critical"; message: string } | null>(
    null,
  );
  const handled = useRef<OrderPageResult | undefined>(undefined);
  const busy = fetcher.state !== "idle";

  const send = (fields: Record<string, string>) => {
    setNotice(null);
    fetcher.submit(fields, { method: "post" });
  };

  useEffect(() => {
    const result = fetcher.data;
    if (fetcher.state !== "idle" || !result || handled.current === result) return;
    handled.current = result;
    if (result.ok) {
      setOpen(null);
      if (!appBridgeToast(result.message) || result.cancelled)
        setNotice({ tone: "success", message: result.message });
      return;
    }
    // A form with field errors stays open and shows them next to the fields.
    if (result.fieldErrors && Object.keys(result.fieldErrors).length > 0) return;
    // The modal the answer belongs to stays open and shows the reason inside it.
    setOpen((current) =>
      current?.kind === "edit" ||
      current?.kind === "design" ||
      (current?.kind === "shipment" && result.shipment)
        ? current
        : null,
    );
    appBridgeToast(result.reason, true);
    setNotice({ tone: "critical", message: result.reason });
  }, [fetcher.state, fetcher.data]);

  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const failed = result && !result.ok ? result : null;

  const runAction = (action: MenuAction) => {
    if (action === "edit") return setOpen({ kind: "edit" });
    if (action === "delete" || action === "force_delete" || action === "reset") {
      return setOpen({ kind: "confirm", action });
    }
    send({ intent: "action", action });
  };

  const editorTarget = cartAdminTarget(page.embedded);

  return (
    <Page
      title={`Order ${page.number}`}
      subtitle={`${page.placedAt} · ${page.typeLabel}`}
      backAction={{ content: "Orders", url: "/app" }}
      titleMetadata={
        <InlineStack gap="100">
          <Badge tone={page.cartStatus === "processing" ? "info" : undefined}>
            {page.cartStatusLabel}
          </Badge>
          {/* One badge when both statuses use the same word ("On hold" in the cart and here). */}
          {page.stateLabel !== page.cartStatusLabel ? (
            <Badge tone={page.state === "error" ? "critical" : undefined}>{page.stateLabel}</Badge>
          ) : null}
        </InlineStack>
      }
      secondaryActions={[
        ...(page.editorUrl
          ? [{ content: "Edit Order", url: page.editorUrl, target: editorTarget }]
          : []),
        ...(page.dropship?.available && page.state !== "archived" && page.state !== "closed"
          ? [{ content: "Dropship", url: `/app/orders/${page.id}/dropship` }]
          : []),
        ...(page.dropship?.purchaseOrders ?? []).map((po) => ({
          content: `Purchase order ${po.poNumber}`,
          url: `/app/purchase-orders/${po.id}`,
        })),
        ...(page.cancel
          ? [
              {
                content: "Cancel Order",
                destructive: true,
                disabled: busy || page.cancel.refusal !== null,
                helpText: page.cancel.refusal ?? undefined,
                onAction: () => setOpen({ kind: "cancel" }),
              },
            ]
          : []),
        { content: "What do statuses mean?", onAction: () => setOpen({ kind: "help" }) },
      ]}
      actionGroups={[
        {
          title: "Actions",
          actions: page.actions.map((choice) => ({
            content: choice.label,
            disabled: !choice.allowed || busy,
            helpText: choice.reason ?? undefined,
            destructive: choice.action === "delete" || choice.action === "force_delete",
            onAction: () => runAction(choice.action),
          })),
        },
      ]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {page.alert && page.cartChange ? (
              <CartChangeBanner
                change={page.cartChange}
                fix={page.alert.fix}
                busy={busy}
                onChoose={(action) =>
                  action === "cancel_and_resend"
                    ? setOpen({ kind: "resend" })
                    : send({ intent: "cart_change", action })
                }
              />
            ) : page.alert ? (
              <Banner tone="critical" title={page.alert.message}>
                <BlockStack gap="100">
                  <Text as="p">
                    <strong>How to fix it:</strong> {page.alert.fix}
                  </Text>
                  <Text as="p" tone="subdued">
                    Alert: {alertLabel(page.alert.code)}
                  </Text>
                </BlockStack>
              </Banner>
            ) : null}
            {notice ? (
              <Banner tone={notice.tone} title={notice.message} onDismiss={() => setNotice(null)} />
            ) : null}
            <BlockStack gap="100">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Items
                </Text>
                <Button
                  onClick={() => setOpen({ kind: "shipment", item: null })}
                  disabled={!page.shipment.allowed || busy || page.items.length === 0}
                >
                  Update Shipment
                </Button>
              </InlineStack>
              {!page.shipment.allowed && page.shipment.reason ? (
                <div data-testid="shipment-reason">
                  <Text as="p" tone="subdued" alignment="end">
                    {page.shipment.reason}
                  </Text>
                </div>
              ) : null}
            </BlockStack>
            {page.items.map((item) => (
              <ItemCard
                key={item.id}
                item={item}
                embedded={page.embedded}
                allowHttpImages={page.allowHttpImages}
                canEditDesign={page.canEdit}
                onEditDesign={(target) => setOpen({ kind: "design", item: target })}
                canChangeShipment={page.shipment.allowed && !busy}
                onChangeShipment={(target) => setOpen({ kind: "shipment", item: target })}
              />
            ))}
            <Card>
              <Totals totals={page.totals} />
            </Card>
            <NotesCard page={page} busy={busy} send={send} />
            <Card>
              <Timeline events={page.timeline} />
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Submission
                </Text>
                <Countdown countdown={page.countdown} serverNow={page.serverNow} />
                {page.canHold ? (
                  <Button onClick={() => send({ intent: "hold" })} disabled={busy}>
                    Pause countdown
                  </Button>
                ) : null}
                {page.canRelease && page.countdown.kind === "paused" ? (
                  <Button onClick={() => send({ intent: "release" })} disabled={busy}>
                    Resume countdown
                  </Button>
                ) : null}
                <Button
                  variant="primary"
                  onClick={() => send({ intent: "submit" })}
                  disabled={!page.submit.allowed || busy}
                  loading={busy && fetcher.formData?.get("intent") === "submit"}
                >
                  Submit Order
                </Button>
                {!page.submit.allowed && page.submit.reason ? (
                  <div data-testid="submit-reason">
                    <Text as="p" tone="subdued">
                      {page.submit.reason}
                    </Text>
                  </div>
                ) : null}
                <SubmissionList submissions={page.submissions} />
              </BlockStack>
            </Card>
            <OrderStatusCard
              page={page}
              busy={busy}
              send={send}
              onCancelOrder={() => setOpen({ kind: "cancel" })}
            />
            <InvoiceCard key={page.invoiceNumber ?? ""} page={page} busy={busy} send={send} />
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Customer
                </Text>
                <BlockStack gap="050">
                  <Text as="p">{page.customer.name || "No name"}</Text>
                  {page.customer.email ? (
                    <Text as="p" tone="subdued">
                      {page.customer.email}
                    </Text>
                  ) : null}
                  <Text as="p" tone="subdued">
                    Paid with {page.paymentMethod ?? "an unknown method"}
                  </Text>
                </BlockStack>
                <AddressBlock title="Shipping address" lines={page.addressLines.shipping} />
                <BlockStack gap="050">
                  <Text as="h3" variant="headingSm">
                    Shipping method
                  </Text>
                  <Text as="p">{page.shippingMethod ?? "Not given"}</Text>
                </BlockStack>
                <AddressBlock title="Billing address" lines={page.addressLines.billing} />
                {page.note ? (
                  <BlockStack gap="050">
                    <Text as="h3" variant="headingSm">
                      Note
                    </Text>
                    <Text as="p">{page.note}</Text>
                  </BlockStack>
                ) : null}
              </BlockStack>
            </Card>
            {page.payments ? (
              <PaymentsCard
                payments={page.payments}
                busy={busy}
                error={failed?.payments ? failed.reason : null}
                linkTarget={editorTarget}
                onSync={() => send({ intent: "payments_sync" })}
                onCapture={(amount) => send({ intent: "capture", amount })}
              />
            ) : null}
            <Card>
              <ShipmentList shipments={page.shipments} />
            </Card>
            {page.editorUrl ? (
              <Text as="p" tone="subdued">
                Changes made in the cart&apos;s own editor sync back here.{" "}
                <Link url={page.editorUrl} target={editorTarget}>
                  Edit Order
                </Link>
              </Text>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>

      {open?.kind === "edit" ? (
        <EditOrderModal
          page={page}
          busy={busy}
          fieldErrors={failed?.action === "edit" ? (failed.fieldErrors ?? {}) : {}}
          reason={failed?.action === "edit" ? failed.reason : null}
          onClose={() => setOpen(null)}
          onSave={(input: OrderEditInput) =>
            send({ intent: "action", action: "edit", input: JSON.stringify(input) })
          }
        />
      ) : null}
      {open?.kind === "shipment" ? (
        <ShipmentModal
          items={page.items}
          only={open.item}
          controls={page.shipment}
          busy={busy}
          fieldErrors={failed?.shipment ? (failed.fieldErrors ?? {}) : {}}
          reason={failed?.shipment ? failed.reason : null}
          onClose={() => setOpen(null)}
          onSave={(submit: ShipmentSubmit) =>
            send(
              submit.kind === "shipment"
                ? { intent: "shipment", input: JSON.stringify(submit.input) }
                : { intent: "item", lineId: submit.lineId, input: JSON.stringify(submit.input) },
            )
          }
        />
      ) : null}
      {open?.kind === "design" ? (
        <DesignModal
          item={open.item}
          busy={busy}
          fieldErrors={failed?.design === open.item.cartLineId ? (failed.fieldErrors ?? {}) : {}}
          reason={failed?.design === open.item.cartLineId ? failed.reason : null}
          onClose={() => setOpen(null)}
          onSave={(edit: DesignSubmit) =>
            send({
              intent: "design",
              cartLineId: edit.cartLineId,
              designUrl: edit.designUrl,
              options: JSON.stringify(edit.options),
            })
          }
        />
      ) : null}
      {open?.kind === "confirm" ? (
        <Modal
          open
          onClose={() => setOpen(null)}
          title={CONFIRM_TEXT[open.action].title}
          primaryAction={{
            content: open.action === "reset" ? "Reset order" : "Delete order",
            destructive: true,
            loading: busy,
            onAction: () =>
              send({
                intent: "action",
                action: open.action,
                ...(open.action === "force_delete"
                  ? { input: JSON.stringify({ confirm: true }) }
                  : {}),
              }),
          }}
          secondaryActions={[{ content: "Keep the order", onAction: () => setOpen(null) }]}
        >
          <Modal.Section>
            <Text as="p">{CONFIRM_TEXT[open.action].body}</Text>
          </Modal.Section>
        </Modal>
      ) : null}
      {open?.kind === "cancel" ? (
        <CancelOrderModal
          cancel={page.cancel}
          busy={busy}
          cart={cartName(page.platform)}
          onClose={() => setOpen(null)}
          onConfirm={(fields) => send({ intent: "cancel_order", ...fields })}
        />
      ) : null}
      {open?.kind === "resend" && page.cartChange ? (
        <Modal
          open
          onClose={() => setOpen(null)}
          title="Cancel at the provider and send again?"
          primaryAction={{
            content: page.cartChange.cancelThroughSupport
              ? "It is cancelled: send again"
              : "Cancel and send again",
            destructive: true,
            loading: busy,
            onAction: () =>
              send({
                intent: "cart_change",
                action: "cancel_and_resend",
                ...(page.cartChange?.cancelThroughSupport ? { cancelledWithSupport: "yes" } : {}),
              }),
          }}
          secondaryActions={[{ content: "Go back", onAction: () => setOpen(null) }]}
        >
          <Modal.Section>
            <Text as="p">
              {page.cartChange.cancelThroughSupport
                ? "This provider cannot be asked to cancel through its API. Confirm only once its support has cancelled the order: Orderlane then sends the cart's version as a new purchase order."
                : "Orderlane asks the provider to cancel the order it has, and once it confirms, sends the cart's version as a new purchase order. If the provider refuses, nothing is sent again and the alert stays."}
            </Text>
          </Modal.Section>
        </Modal>
      ) : null}
      <StatusHelpModal open={open?.kind === "help"} onClose={() => setOpen(null)} />
    </Page>
  );
}

/** "Changed in the cart after it was sent": each change as the provider has it and as the cart
 * has it now, what the providers last answered, and the owner's three choices. */
function CartChangeBanner({
  change,
  fix,
  busy,
  onChoose,
}: {
  change: CartChangeView;
  fix: string;
  busy: boolean;
  onChoose: (action: CartChangeAction) => void;
}) {
  return (
    <Banner tone="warning" title="Changed in the cart after it was sent">
      <BlockStack gap="200">
        <Text as="p">
          {change.purchaseOrders.map((p) => `${p.providerName} (${p.poNumber})`).join(", ")} still{" "}
          {change.purchaseOrders.length === 1 ? "has" : "have"} the version it was sent.
        </Text>
        <ul data-testid="cart-changes">
          {change.changes.map((c) => (
            <li key={c.what}>
              <strong>{c.what}:</strong> {c.sent} → {c.now}
            </li>
          ))}
        </ul>
        {change.purchaseOrders
          .filter((p) => p.lastAnswer)
          .map((p) => (
            <Text as="p" key={p.poNumber} tone="critical">
              {p.lastAnswer}
            </Text>
          ))}
        <Text as="p">
          <strong>What to do:</strong> {fix}
        </Text>
        <InlineStack gap="200">
          {change.choices.map((choice) => (
            <Button
              key={choice.action}
              onClick={() => onChoose(choice.action)}
              disabled={!choice.allowed || busy}
              variant={choice.action === "update_at_provider" ? "primary" : undefined}
            >
              {choice.label}
            </Button>
          ))}
        </InlineStack>
        {change.choices
          .filter((choice) => !choice.allowed && choice.reason)
          .map((choice) => (
            <Text as="p" tone="subdued" key={choice.action}>
              {choice.label}: {choice.reason}
            </Text>
          ))}
      </BlockStack>
    </Banner>
  );
}

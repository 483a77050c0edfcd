// Choosing products by their names and pictures rather than by ids. Outside the Shopify admin the
// owner searches the store's products (the page's search address answers with the matches); inside
// the admin, Shopify's own product picker opens instead (App Bridge's resource picker). The chosen
// products are listed with their pictures and can be removed; the form sends their ids, comma-
// separated, under `name`.
import {
  Autocomplete,
  BlockStack,
  Box,
  Button,
  InlineError,
  InlineStack,
  Text,
  Thumbnail,
} from "@shopify/polaris";
import { useEffect, useId, useMemo, useState } from "react";

export interface PickedProduct {
  id: string;
  title: string;
  imageUrl: string | null;
  /** The store no longer has it. */
  missing?: boolean;
}

type SearchAnswer = { ok: true; products: PickedProduct[] } | { ok: false; problem: string };

/** The part of App Bridge's global the picker uses (present only inside the Shopify admin). */
interface AppBridgeProduct {
  id: string;
  title: string;
  images?: { originalSrc?: string; src?: string; url?: string }[];
}
interface AppBridgeGlobal {
  resourcePicker(options: {
    type: "product";
    multiple: boolean;
    action?: "select";
    selectionIds?: { id: string }[];
  }): Promise<AppBridgeProduct[] | undefined>;
}

const SEARCH_DELAY_MS = 250;
const numericId = (gid: string) => /(\d+)$/.exec(gid)?.[1] ?? gid;

export function ProductPicker({
  label,
  name,
  initial,
  searchUrl,
  embedded,
  helpText,
  error,
}: {
  label: string;
  name: string;
  initial: PickedProduct[];
  /** Answers `?q=<words>` with the store's matching products. */
  searchUrl: string;
  /** Inside the Shopify admin: use Shopify's own picker. */
  embedded: boolean;
  helpText?: string;
  error?: string;
}) {
  const [picked, setPicked] = useState<PickedProduct[]>(initial);
  const pickedIds = useMemo(() => new Set(picked.map((p) => p.id)), [picked]);
  const listId = useId();

  const add = (products: PickedProduct[]) =>
    setPicked((current) => {
      const have = new Set(current.map((p) => p.id));
      return [...current, ...products.filter((p) => !have.has(p.id))];
    });

  const browseShopify = async () => {
    const shopify = (window as unknown as { shopify?: AppBridgeGlobal }).shopify;
    if (!shopify) return;
    const chosen = await shopify.resourcePicker({
      type: "product",
      multiple: true,
      action: "select",
      selectionIds: picked.map((p) => ({ id: `gid://shopify/Product/${p.id}` })),
    });
    if (!chosen) return;
    // The picker answers with the whole selection, so it replaces what was listed.
    setPicked(
      chosen.map((p) => {
        const image = p.images?.[0];
        return {
          id: numericId(p.id),
          title: p.title,
          imageUrl: image?.originalSrc ?? image?.url ?? image?.src ?? null,
        };
      }),
    );
  };

  return (
    <BlockStack gap="200">
      <input type="hidden" name={name} value={picked.map((p) => p.id).join(",")} />
      <Text as="h3" variant="headingSm" id={listId}>
        {label}
      </Text>
      {helpText ? (
        <Text as="p" tone="subdued">
          {helpText}
        </Text>
      ) : null}
      {picked.length === 0 ? (
        <Text as="p">None chosen yet: no order counts as In-app because of its products.</Text>
      ) : (
        <ul aria-labelledby={listId} style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {picked.map((product) => (
            <li key={product.id}>
              <Box paddingBlock="150">
                <InlineStack gap="300" blockAlign="center" wrap={false}>
                  <ProductImage product={product} />
                  <Box width="100%">
                    <Text as="span" tone={product.missing ? "caution" : undefined}>
                      {product.title}
                    </Text>
                  </Box>
                  <Button
                    variant="plain"
                    tone="critical"
                    accessibilityLabel={`Remove ${product.title}`}
                    onClick={() => setPicked((current) => current.filter((p) => p !== product))}
                  >
                    Remove
                  </Button>
                </InlineStack>
              </Box>
            </li>
          ))}
        </ul>
      )}
      {embedded ? (
        <InlineStack>
          <Button onClick={() => void browseShopify()}>Choose products</Button>
        </InlineStack>
      ) : (
        <ProductSearch searchUrl={searchUrl} pickedIds={pickedIds} onPick={(p) => add([p])} />
      )}
      {error ? <InlineError message={error} fieldID={listId} /> : null}
    </BlockStack>
  );
}

function ProductImage({ product }: { product: PickedProduct }) {
  return product.imageUrl ? (
    <Thumbnail source={product.imageUrl} alt="" size="small" />
  ) : (
    <Box
      background="bg-surface-secondary"
      borderRadius="200"
      minWidth="40px"
      minHeight="40px"
      aria-hidden
    />
  );
}

/** The search field and its list of matches; a match chosen is added and the field cleared. */
function ProductSearch({
  searchUrl,
  pickedIds,
  onPick,
}: {
  searchUrl: string;
  pickedIds: Set<string>;
  onPick: (product: PickedProduct) => void;
}) {
  const [typed, setTyped] = useState("");
  const [asked, setAsked] = useState<string | null>(null);
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (asked === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      fetch(`${searchUrl}?q=${encodeURIComponent(asked)}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      })
        .then((res) => res.json() as Promise<SearchAnswer>)
        .then((body) => setAnswer(body))
        .catch((err: unknown) => {
          if (!controller.signal.aborted) {
            setAnswer({ ok: false, problem: `The search did not answer (${String(err)})` });
          }
        })
        .finally(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [asked, searchUrl]);

  const found = answer?.ok ? answer.products : [];
  const options = found.map((p) => ({
    value: p.id,
    label: pickedIds.has(p.id) ? `${p.title} (chosen)` : p.title,
    disabled: pickedIds.has(p.id),
    media: <ProductImage product={p} />,
  }));

  return (
    <Autocomplete
      options={options}
      selected={[]}
      loading={loading}
      onSelect={([id]) => {
        const product = found.find((p) => p.id === id);
        if (product) onPick(product);
        setTyped("");
      }}
      emptyState={
        <Box padding="300">
          <Text as="p" tone={answer && !answer.ok ? "critical" : "subdued"}>
            {answer && !answer.ok
              ? answer.problem
              : answer
                ? "No product's title matches"
                : "Type part of a product's title"}
          </Text>
        </Box>
      }
      textField={
        <Autocomplete.TextField
          label="Add a product"
          value={typed}
          onChange={(value) => {
            setTyped(value);
            setAsked(value);
          }}
          onFocus={() => setAsked((current) => current ?? typed)}
          placeholder="Search your store's products by title"
          autoComplete="off"
        />
      }
    />
  );
}

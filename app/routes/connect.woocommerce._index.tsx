import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { setUpStore, startWooConnect } from "~/carts/woocommerce/connect.server";
import { rememberConnectNonce, takeProblem, wooOwner } from "~/shops/woo-session.server";
import { FormFields, SubmitButton } from "~/ui/FormFields";
import { Banner, BlockStack, Button, Text, TextField } from "~/ui/primitives";
import { StandalonePage } from "~/ui/StandalonePage";
import { uiStylesheets } from "~/ui/styles";

export const links: LinksFunction = uiStylesheets;
export const meta: MetaFunction = () => [{ title: "Connect a WooCommerce store · Orderlane" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await wooOwner(request, context);
  // Kept by the return step when the connection did not finish, or the webhooks could not be made.
  const { problem, cookie } = await takeProblem(context.config, request);
  return data(
    { problem, signedInAs: owner ? owner.shop.domain : null },
    cookie ? { headers: { "Set-Cookie": cookie } } : undefined,
  );
}

const form = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("connect"), storeUrl: z.string().max(2000) }),
  z.object({ intent: z.literal("setup") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = form.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { error: "Enter your store's address" };
  if (parsed.data.intent === "setup") {
    const owner = await wooOwner(request, context);
    if (!owner) return { error: "Connect the store first" };
    const setup = await setUpStore(context, owner.shop.id);
    if (!setup.ok) return { error: setup.reason };
    throw redirect("/app");
  }
  const started = await startWooConnect(context, parsed.data.storeUrl);
  if (!started.ok) return { error: started.reason };
  throw redirect(started.authorizeUrl, {
    headers: {
      "Set-Cookie": await rememberConnectNonce(context.config, request, started.nonce),
    },
  });
}

export default function ConnectWooCommerce() {
  const { problem, signedInAs } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [storeUrl, setStoreUrl] = useState("");
  return (
    <StandalonePage title="Connect a WooCommerce store">
      {problem && signedInAs ? (
        <Banner tone="warning" title={`${signedInAs} is connected, but not fully set up`}>
          <BlockStack gap="200">
            <p>{problem}</p>
            <p>Without its webhooks, new orders reach Orderlane only through Import.</p>
            <Form method="post">
              <input type="hidden" name="intent" value="setup" />
              <Button submit loading={busy}>
                Try again
              </Button>
            </Form>
          </BlockStack>
        </Banner>
      ) : problem ? (
        <Banner tone="critical" title="The store was not connected">
          <p>{problem}</p>
        </Banner>
      ) : null}
      <Text as="p">
        Enter your store&apos;s address. WooCommerce will ask you, as the store&apos;s
        administrator, to approve read and write access for Orderlane; you then come back here
        signed in. Use the same steps to sign in again later.
      </Text>
      <Form method="post">
        <input type="hidden" name="intent" value="connect" />
        <FormFields>
          <TextField
            label="Store address"
            name="storeUrl"
            type="url"
            placeholder="https://mystore.com"
            value={storeUrl}
            onChange={setStoreUrl}
            autoComplete="url"
            error={result?.error ?? undefined}
          />
          <SubmitButton busy={busy}>Connect</SubmitButton>
        </FormFields>
      </Form>
    </StandalonePage>
  );
}

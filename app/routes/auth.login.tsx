import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { FormFields, SubmitButton } from "~/ui/FormFields";
import { Link, Text, TextField } from "~/ui/primitives";
import { StandalonePage } from "~/ui/StandalonePage";
import { uiStylesheets } from "~/ui/styles";

export const links: LinksFunction = uiStylesheets;
export const meta: MetaFunction = () => [{ title: "Sign in · Orderlane" }];

export async function loader({ context }: LoaderFunctionArgs) {
  return { shopifyConfigured: Boolean(context.shopify) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (!context.shopify) return { error: "Shopify sign-in is not configured on this server" };
  // login() redirects to Shopify's OAuth when the domain is valid, and returns errors otherwise.
  const errors = await context.shopify.login(request);
  if (errors.shop === LoginErrorType.MissingShop) return { error: "Enter your shop's domain" };
  if (errors.shop) return { error: "Enter a domain like my-shop.myshopify.com" };
  return { error: null };
}

export default function Login() {
  const { shopifyConfigured } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  return (
    <StandalonePage title="Sign in to Orderlane">
      {shopifyConfigured ? (
        <Form method="post">
          <FormFields>
            <TextField
              label="Shopify shop domain"
              name="shop"
              helpText="example.myshopify.com"
              value={shop}
              onChange={setShop}
              autoComplete="on"
              error={result?.error ?? undefined}
            />
            <SubmitButton>Sign in</SubmitButton>
          </FormFields>
        </Form>
      ) : (
        <Text as="p">
          Open Orderlane from your Shopify admin. Shopify sign-in is not configured on this server.
        </Text>
      )}
      <Text as="p">
        Selling on WooCommerce? <Link url="/connect/woocommerce">Connect a WooCommerce store</Link>
        {" (also how you sign in again)."}
      </Text>
    </StandalonePage>
  );
}

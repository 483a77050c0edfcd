// How a form's fields and its main button are laid out, the same on every page.
import { Button, FormLayout } from "@shopify/polaris";
import type { ReactNode } from "react";

/** A form's fields, one under the other with the form spacing (sign-in, connect, new token). */
export function FormFields({ children }: { children: ReactNode }) {
  return <FormLayout>{children}</FormLayout>;
}

/** Short fields side by side on one row, wrapping when the card is narrow (the state labels). */
export function FieldRow({ children }: { children: ReactNode }) {
  return <FormLayout.Group condensed>{children}</FormLayout.Group>;
}

/**
 * The form's main button: it submits the form it is in, and shows a spinner while the page is
 * sending it so the owner does not press twice.
 */
export function SubmitButton({
  busy,
  disabled,
  children,
}: {
  busy?: boolean;
  disabled?: boolean;
  children: string;
}) {
  return (
    <Button submit variant="primary" loading={busy} disabled={disabled}>
      {children}
    </Button>
  );
}

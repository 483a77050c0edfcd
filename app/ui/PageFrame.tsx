// The frame of every /app page: its title, the way back, the links to the pages beside it, and the
// columns its cards sit in. Pages say where they lead in words and addresses; how that is drawn
// (Polaris `Page` and `Layout` today) stays here.
import { Banner, BlockStack, Layout, Page } from "@shopify/polaris";
import type { ReactNode } from "react";

/** A link in a page's header: what it says and where it goes. */
export interface PageLink {
  label: string;
  url: string;
}

const action = (link: PageLink) => ({ content: link.label, url: link.url });

export function PageFrame({
  title,
  subtitle,
  back,
  primaryLink,
  links,
  fullWidth,
  children,
}: {
  title: string;
  subtitle?: string;
  /** The page one level up (the arrow before the title). */
  back?: PageLink;
  /** The page's main next step, drawn as its primary button (the catalog's Import). */
  primaryLink?: PageLink;
  /** Pages beside this one, as header buttons (folded into a menu when narrow). */
  links?: PageLink[];
  /** Use the whole window (the catalog's wide table). */
  fullWidth?: boolean;
  children: ReactNode;
}) {
  return (
    <Page
      title={title}
      subtitle={subtitle}
      fullWidth={fullWidth}
      backAction={back ? action(back) : undefined}
      primaryAction={primaryLink ? action(primaryLink) : undefined}
      secondaryActions={links?.map(action)}
    >
      {children}
    </Page>
  );
}

/**
 * The page's body: a main column whose notices and cards stack with the standard gap, optionally a
 * narrow column beside it (a form next to the list it adds to) and a full-width part below it.
 */
export function PageColumns({
  aside,
  below,
  children,
}: {
  aside?: ReactNode;
  below?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Layout>
      <Layout.Section>
        <BlockStack gap="400">{children}</BlockStack>
      </Layout.Section>
      {aside ? <Layout.Section variant="oneThird">{aside}</Layout.Section> : null}
      {below ? <Layout.Section>{below}</Layout.Section> : null}
    </Layout>
  );
}

/** A page that could not be shown: its title, a red notice saying so, and the way on. */
export function ErrorPage({
  title,
  back,
  heading,
  action: next,
  children,
}: {
  title: string;
  back?: PageLink;
  /** What went wrong, as the notice's title. */
  heading: string;
  /** Where the owner can go instead, as the notice's button. */
  action?: PageLink;
  /** The explanation under the heading. */
  children: ReactNode;
}) {
  return (
    <PageFrame title={title} back={back}>
      <Banner tone="critical" title={heading} action={next ? action(next) : undefined}>
        {children}
      </Banner>
    </PageFrame>
  );
}

// The one place pages (app/routes/) get Polaris primitives from: the leaves a page writes itself
// (text, buttons, links, banners, form controls) and the two stacks that space them. Everything a
// page repeats is a component of ours in app/ui/ instead (decision 22); eslint.config.js keeps
// routes from importing @shopify/polaris past this file.
//
// A move to the Polaris web components replaces these exports with components of the same names and
// props over `s-text`, `s-button`, `s-link`, `s-banner`, `s-text-field`, `s-select`, `s-checkbox`,
// `s-choice-list` and `s-stack`; the routes then need no change for them. Add a primitive here only
// when a page uses it directly, so this list stays the list of what such a move must cover.
export {
  Banner,
  BlockStack,
  Button,
  Checkbox,
  ChoiceList,
  InlineStack,
  Link,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";

import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

// Import rules that keep the rooms apart. ESLint applies the last matching block's options for a
// rule, so each block below restates every restriction that holds for its files.
const DEMO_IMPORT_MESSAGE =
  "Production code does not import the demo (decision 23): ask AppContext.demo, which the demo fills in at boot.";
const demoImportPatterns = [
  { regex: "^~/demo(/|$)", message: DEMO_IMPORT_MESSAGE },
  { regex: "^(\\.\\./)+demo(/|$)", message: DEMO_IMPORT_MESSAGE },
];
const PG_BOSS_MESSAGE = "Use Jobs (~/jobs/jobs.server) instead of pg-boss.";
const pgBossPaths = [{ name: "pg-boss", message: PG_BOSS_MESSAGE }];
const POLARIS_MESSAGE =
  "Pages get Polaris through app/ui/ (decision 22): a component of ours for what they repeat, ~/ui/primitives for the leaves they write themselves.";
const polarisPaths = [{ name: "@shopify/polaris", message: POLARIS_MESSAGE }];
const polarisPatterns = [{ regex: "^@shopify/polaris/", message: POLARIS_MESSAGE }];
const EXTENSION_MESSAGE =
  "Admin extensions are bundled on their own with Preact (decision 42): no app code, React or Polaris React; ask the backend through extensions/shared/admin-api.ts.";
const KERNEL_MESSAGE =
  "The order kernel imports only db/, config and its own files (decision 21): carts, fulfillment, jobs, shops, pages and the demo build on it, never the other way round.";
const kernelPatterns = [
  { regex: "^~/(?!db/|config\\.server$|orders/core/)", message: KERNEL_MESSAGE },
  { regex: "^\\.\\./", message: `${KERNEL_MESSAGE} Import them as ~/db/… or ./…` },
];

export default tseslint.config(
  { ignores: ["node_modules", "build", "data", "public", ".cache"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // pg-boss stays behind the Jobs interface (app/jobs/jobs.server.ts): one place to change when
    // pg-boss does.
    files: ["**/*.{ts,tsx,js,mjs,cjs}"],
    ignores: ["app/jobs/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: pgBossPaths }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportExpression[source.value='pg-boss']",
          message: PG_BOSS_MESSAGE,
        },
        {
          selector: "TSImportType[argument.literal.value='pg-boss']",
          message: PG_BOSS_MESSAGE,
        },
      ],
    },
  },
  {
    // Production never imports the demo; the demo plugs in through AppContext.demo (decision 23).
    // The demo cart connector (carts/demo) is a cart like the others and may be imported.
    files: ["app/**"],
    ignores: ["app/demo/**", "app/jobs/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: pgBossPaths, patterns: demoImportPatterns }],
    },
  },
  {
    files: ["app/jobs/**"],
    rules: { "no-restricted-imports": ["error", { patterns: demoImportPatterns }] },
  },
  {
    files: ["app/*.ts", "app/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: pgBossPaths,
          patterns: [
            ...demoImportPatterns,
            { regex: "^\\./demo(/|$)", message: DEMO_IMPORT_MESSAGE },
          ],
        },
      ],
    },
  },
  {
    // Pages reach Polaris only through app/ui/, so a move to the Polaris web components rewrites
    // ui/ and leaves the routes alone (decision 22). Restates the app/** restrictions above.
    files: ["app/routes/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [...pgBossPaths, ...polarisPaths],
          patterns: [...demoImportPatterns, ...polarisPatterns],
        },
      ],
    },
  },
  {
    // The order kernel sits one floor below every other room (decision 21).
    files: ["app/orders/core/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: pgBossPaths, patterns: kernelPatterns }],
    },
  },
  {
    // Admin UI extensions run in Shopify's admin, bundled on their own: Preact and Polaris web
    // components, and the backend only through extensions/shared/admin-api.ts (decision 42).
    files: ["extensions/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "react", message: EXTENSION_MESSAGE },
            { name: "react-dom", message: EXTENSION_MESSAGE },
            ...polarisPaths.map((p) => ({ ...p, message: EXTENSION_MESSAGE })),
          ],
          patterns: [
            { regex: "^~/", message: EXTENSION_MESSAGE },
            { regex: "^(\\.\\./)+(app|server)(/|$)", message: EXTENSION_MESSAGE },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);

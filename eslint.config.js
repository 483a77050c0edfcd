import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const DEMO_IMPORT_MESSAGE =
  "Production code does not import the demo (decision 23): ask AppContext.demo, which the demo fills in at boot.";
const demoImportPatterns = [
  { regex: "^~/demo(/|$)", message: DEMO_IMPORT_MESSAGE },
  { regex: "^(\\.\\./)+demo(/|$)", message: DEMO_IMPORT_MESSAGE },
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
    // Production never imports the demo; the demo plugs in through AppContext.demo (decision 23).
    // The demo cart connector (carts/demo) is a cart like the others and may be imported.
    files: ["app/**"],
    ignores: ["app/demo/**"],
    rules: { "no-restricted-imports": ["error", { patterns: demoImportPatterns }] },
  },
  {
    files: ["app/*.ts", "app/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...demoImportPatterns,
            { regex: "^\\./demo(/|$)", message: DEMO_IMPORT_MESSAGE },
          ],
        },
      ],
    },
  },
  {
    // The order kernel sits one floor below every other room (decision 21).
    files: ["app/orders/core/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^~/(?!db/|config\\.server$|orders/core/)",
              message:
                "The order kernel imports only db/, config and its own files (decision 21): carts, fulfillment, jobs, shops, pages and the demo build on it, never the other way round.",
            },
            {
              regex: "^\\.\\./",
              message:
                "The order kernel imports only db/, config and its own files (decision 21); import them as ~/db/… or ./…",
            },
            { regex: "^pg-boss$", message: "The order kernel does not queue jobs (decision 21)." },
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

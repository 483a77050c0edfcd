import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

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
    // pg-boss does. The kernel's block below restates it, as its rule replaces this one there.
    files: ["**/*.{ts,tsx,js,mjs,cjs}"],
    ignores: ["app/jobs/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "pg-boss", message: "Use Jobs (~/jobs/jobs.server) instead of pg-boss." },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportExpression[source.value='pg-boss']",
          message: "Use Jobs (~/jobs/jobs.server) instead of pg-boss.",
        },
        {
          selector: "TSImportType[argument.literal.value='pg-boss']",
          message: "Use Jobs (~/jobs/jobs.server) instead of pg-boss.",
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

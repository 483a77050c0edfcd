// Keeps an open page in step with the database: when anything the shop's pages show changes (a
// webhook, a provider event, another tab), the page's loaders run again, without a reload.
// TODO(live): the server side arrives with the catalog work; until then this does nothing.
export function useLiveUpdates(): void {}

/** Six weeks: a drop-ship purchase order not shipped by then is Overdue and no longer looked for. */
export const OVERDUE_AFTER_DAYS = 42;

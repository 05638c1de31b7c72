/**
 * Code-point order for names, ids and timestamps: stable across machines, and free, where localeCompare sets up
 * ICU's collator on first use (milliseconds a short command notices) and orders by the machine's locale.
 */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Fractional ranks: base-36 strings compared byte-wise, so moving an issue writes only that
// issue. Keys never end in '0', which leaves room below every key.

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
const RANK = /^[0-9a-z]*[1-9a-z]$/;

export const FIRST_RANK = 'i';

function digit(value: number): string {
  return DIGITS[value]!;
}

function valueAt(key: string, index: number): number {
  return index < key.length ? DIGITS.indexOf(key[index]!) : 0;
}

export function isValidRank(key: string): boolean {
  return RANK.test(key);
}

/** A key after `key` with nothing above it, kept short for the common append. */
export function rankAfter(key: string): string {
  for (let i = 0; ; i++) {
    const value = valueAt(key, i);
    if (value < BASE - 1) return key.slice(0, i) + digit(value + 1);
  }
}

/** A key before `key` (which must be greater than the empty string). */
export function rankBefore(key: string): string {
  return rankBetween(null, key);
}

/** Halves the room above `key` when there is no upper neighbour (repeated moves stay short). */
function midAbove(key: string): string {
  for (let i = 0; ; i++) {
    const value = valueAt(key, i);
    if (value < BASE - 1) return key.slice(0, i).padEnd(i, '0') + digit(Math.ceil((value + BASE) / 2));
  }
}

/** A key strictly between `low` and `high`; null means unbounded on that side. */
export function rankBetween(low: string | null, high: string | null): string {
  const a = low ?? '';
  if (high === null) return a === '' ? FIRST_RANK : rankAfter(a);
  if (!(a < high)) throw new Error(`rankBetween: ${JSON.stringify(a)} is not below ${JSON.stringify(high)}`);
  let prefix = '';
  for (let i = 0; ; i++) {
    const da = valueAt(a, i);
    const db = i < high.length ? valueAt(high, i) : BASE;
    if (da === db) {
      prefix += digit(da);
      continue;
    }
    if (db - da > 1) return prefix + digit(Math.floor((da + db) / 2));
    // Adjacent digits: keep a's digit and go above the rest of a, which is now unbounded.
    return prefix + digit(da) + midAbove(a.slice(i + 1));
  }
}

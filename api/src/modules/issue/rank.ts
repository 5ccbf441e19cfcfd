// Fractional ranks: base-36 strings compared byte-wise, so moving an issue writes only that
// issue. Keys never end in '0', which leaves room below every key.

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
const RANK = /^[0-9a-z]*[1-9a-z]$/;

/** Mid-range with room to count: appends add one to the last digit, like an odometer. */
export const FIRST_RANK = 'i0001';

function digit(value: number): string {
  return DIGITS[value]!;
}

function valueAt(key: string, index: number): number {
  return index < key.length ? DIGITS.indexOf(key[index]!) : 0;
}

export function isValidRank(key: string): boolean {
  return RANK.test(key);
}

/**
 * A key after `key` with nothing above it: `key` plus one in base 36 (skipping results that
 * end in '0'), so a project's appends stay at FIRST_RANK's length for millions of issues.
 * Only a key of all 'z's grows, by one digit.
 */
export function rankAfter(key: string): string {
  const digits = [...key].map((c) => DIGITS.indexOf(c));
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === BASE - 1) digits[i--] = 0;
  if (i < 0) return key + digit(1);
  digits[i]! += 1;
  // A trailing '0' would leave no room below the key; one more step ends it in '1'.
  if (digits[digits.length - 1] === 0) digits[digits.length - 1] = 1;
  return digits.map(digit).join('');
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

// Fractional ranks: any two keys have room between them, order is byte-wise, and moving an
// issue never needs its neighbours to change.
import { FIRST_RANK, isValidRank, rankAfter, rankBefore, rankBetween } from '../../src/modules/issue/rank';

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('the first rank is valid and every append goes strictly after the last key', () => {
  expect(isValidRank(FIRST_RANK)).toBe(true);
  let key = FIRST_RANK;
  for (let i = 0; i < 2000; i++) {
    const next = rankAfter(key);
    expect(next > key).toBe(true);
    expect(isValidRank(next)).toBe(true);
    key = next;
  }
});

test('a key before another is smaller and valid, even before keys made of low digits', () => {
  for (const key of ['i', '1', '01', '001', 'z', 'a0b']) {
    const before = rankBefore(key);
    expect(before < key).toBe(true);
    expect(isValidRank(before)).toBe(true);
  }
});

test('rankBetween returns a valid key strictly between its bounds', () => {
  const cases: [string | null, string | null][] = [
    [null, null],
    ['a', null],
    [null, 'a'],
    ['a', 'b'],
    ['a', 'a1'],
    ['az', 'b'],
    ['zz', null],
    ['i', 'i01'],
    ['1', '2'],
    ['y', 'z'],
    ['0001', '0002'],
  ];
  for (const [low, high] of cases) {
    const key = rankBetween(low, high);
    expect(isValidRank(key)).toBe(true);
    if (low !== null) expect(key > low).toBe(true);
    if (high !== null) expect(key < high).toBe(true);
  }
});

test('rankBetween refuses bounds that are equal or in the wrong order', () => {
  expect(() => rankBetween('b', 'a')).toThrow();
  expect(() => rankBetween('a', 'a')).toThrow();
});

test('two hundred inserts into the same gap keep every key distinct, ordered and short', () => {
  const low = 'a';
  let high = 'b';
  const made: string[] = [];
  for (let i = 0; i < 200; i++) {
    const key = rankBetween(low, high);
    expect(key > low && key < high).toBe(true);
    made.push(key);
    high = key;
  }
  expect(new Set(made).size).toBe(200);
  expect(Math.max(...made.map((k) => k.length))).toBeLessThan(60);
});

test('inserting right after the same key two hundred times keeps every key distinct and ordered', () => {
  const low = 'a';
  let high: string | null = 'b';
  let previous = low;
  const made: string[] = [];
  for (let i = 0; i < 200; i++) {
    const key = rankBetween(previous, high);
    expect(key > previous).toBe(true);
    if (high !== null) expect(key < high).toBe(true);
    made.push(key);
    previous = key;
  }
  expect([...made].sort()).toEqual(made);
});

test('random inserts into a list keep it sorted with no two equal keys', () => {
  const random = seededRandom(42);
  const list: string[] = [FIRST_RANK];
  for (let i = 0; i < 3000; i++) {
    const at = Math.floor(random() * (list.length + 1));
    const key = rankBetween(at === 0 ? null : list[at - 1]!, at === list.length ? null : list[at]!);
    expect(isValidRank(key)).toBe(true);
    list.splice(at, 0, key);
  }
  expect([...list].sort()).toEqual(list);
  expect(new Set(list).size).toBe(list.length);
});

test('appending thousands of issues keeps ranks as short as the first one', () => {
  let key = FIRST_RANK;
  for (let i = 0; i < 10_000; i++) key = rankAfter(key);
  expect(key.length).toBe(FIRST_RANK.length);
});

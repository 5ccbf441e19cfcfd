// The workflow every new project starts with: To Do → In Progress → In Review → Done, moving
// forward, back one step, or from anywhere back to To Do.
import type { StatusCategory } from '../../generated/prisma/enums';

export const DEFAULT_STATES: readonly { readonly name: string; readonly category: StatusCategory }[] = [
  { name: 'To Do', category: 'TODO' },
  { name: 'In Progress', category: 'IN_PROGRESS' },
  { name: 'In Review', category: 'IN_PROGRESS' },
  { name: 'Done', category: 'DONE' },
];

/** Pairs of positions [from, to] in DEFAULT_STATES. */
export function defaultTransitions(): [number, number][] {
  const pairs = new Set<string>();
  const last = DEFAULT_STATES.length - 1;
  for (let from = 0; from <= last; from++) {
    if (from < last) pairs.add(`${from}>${from + 1}`);
    if (from > 0) pairs.add(`${from}>${from - 1}`);
    if (from > 0) pairs.add(`${from}>0`);
  }
  return [...pairs].map((pair) => pair.split('>').map(Number) as [number, number]);
}

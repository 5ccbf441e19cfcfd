// The order of a workflow's states. Positions are unique per project and checked row by row,
// so a reorder is written in two steps: the moving states first park on distinct negative
// positions, then take their final ones.

export interface Positioned {
  readonly id: string;
  readonly position: number;
}

/** `states` in their current order with `id` moved to index `to` (clamped to the list). */
export function orderWithMove<T extends Positioned>(states: readonly T[], id: string, to: number): T[] {
  const ordered = [...states].sort((a, b) => a.position - b.position);
  const from = ordered.findIndex((state) => state.id === id);
  if (from < 0) return ordered;
  const [moving] = ordered.splice(from, 1);
  ordered.splice(Math.max(0, Math.min(to, ordered.length)), 0, moving!);
  return ordered;
}

export interface PositionStep {
  readonly ids: string[];
  readonly positions: number[];
}

/** The updates that give `ordered[i]` position i, touching only the states that move. */
export function positionsToWrite(ordered: readonly Positioned[]): PositionStep[] {
  const moving = ordered.map((state, index) => ({ id: state.id, from: state.position, to: index })).filter((state) => state.from !== state.to);
  if (moving.length === 0) return [];
  const ids = moving.map((state) => state.id);
  return [
    { ids, positions: moving.map((state) => -1 - state.to) },
    { ids, positions: moving.map((state) => state.to) },
  ];
}

// Reordering workflow states: the order a move produces and the writes that get there.
import { orderWithMove, positionsToWrite } from '../../src/modules/workflow/state-order';

const states = ['a', 'b', 'c', 'd'].map((id, position) => ({ id, position }));
const ids = (list: { id: string }[]) => list.map((state) => state.id).join('');

test('moving a state forward, backward, to either end and past the end', () => {
  expect(ids(orderWithMove(states, 'a', 2))).toBe('bcad');
  expect(ids(orderWithMove(states, 'd', 0))).toBe('dabc');
  expect(ids(orderWithMove(states, 'b', 3))).toBe('acdb');
  expect(ids(orderWithMove(states, 'b', 99))).toBe('acdb');
  expect(ids(orderWithMove(states, 'c', 2))).toBe('abcd');
});

test('the order follows positions, not the order of the input', () => {
  expect(ids(orderWithMove([...states].reverse(), 'zz', 0))).toBe('abcd');
});

test('only moving states are written, parked on distinct negative positions first', () => {
  const steps = positionsToWrite(orderWithMove(states, 'd', 1));
  expect(steps).toEqual([
    { ids: ['d', 'b', 'c'], positions: [-2, -3, -4] },
    { ids: ['d', 'b', 'c'], positions: [1, 2, 3] },
  ]);
  expect(positionsToWrite(states)).toEqual([]);
});

test('a gap left by a deleted state is closed', () => {
  const withGap = [{ id: 'a', position: 0 }, { id: 'c', position: 2 }, { id: 'd', position: 3 }];
  expect(positionsToWrite(withGap)).toEqual([
    { ids: ['c', 'd'], positions: [-2, -3] },
    { ids: ['c', 'd'], positions: [1, 2] },
  ]);
});

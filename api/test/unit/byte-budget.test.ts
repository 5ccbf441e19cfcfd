// The realtime byte budgets: a socket past its own budget is cut off (unless the bytes were a
// paced replay read), and an instance past its budget cuts off the sockets holding the most
// until it fits again, each dropping everything it held.
import { InstanceBudget } from '../../src/modules/realtime/byte-budget';

function socketOf(instance: InstanceBudget, limit: number, cut: string[], name: string) {
  const budget = instance.open(limit, () => cut.push(name));
  // A holder that lets go of what it holds, as a subscriber does.
  let held = 0;
  budget.hold({ drop: () => budget.release(held) });
  return {
    budget,
    take(bytes: number, paced = false) {
      held += bytes;
      budget.charge(bytes, paced);
    },
  };
}

test('a live charge past the socket budget cuts the socket off and frees what it held', () => {
  const instance = new InstanceBudget(1_000);
  const cut: string[] = [];
  const a = socketOf(instance, 100, cut, 'a');
  a.take(60);
  a.take(60);
  expect(cut).toEqual(['a']);
  expect(instance.used).toBe(0);
  expect(a.budget.isCutOff).toBe(true);
});

test('a paced (replay) charge never cuts off its own socket; it only waits for room', async () => {
  const instance = new InstanceBudget(1_000);
  const cut: string[] = [];
  const a = socketOf(instance, 100, cut, 'a');
  a.take(150, true);
  expect(cut).toEqual([]);
  expect(a.budget.hasRoom()).toBe(false);
  let woken = false;
  const room = a.budget.whenRoom().then(() => (woken = true));
  a.budget.release(120);
  await room;
  expect(woken).toBe(true);
});

test('past the instance budget the greediest sockets are cut off until it fits', () => {
  const instance = new InstanceBudget(250);
  const cut: string[] = [];
  const small = socketOf(instance, 200, cut, 'small');
  const big = socketOf(instance, 200, cut, 'big');
  const bigger = socketOf(instance, 200, cut, 'bigger');
  small.take(20);
  big.take(100, true);
  bigger.take(150, true);
  expect(cut).toEqual(['bigger']);
  expect(instance.used).toBe(120);
  expect(instance.peak).toBe(270);
});

// What a request costs in rate-limit points: its query cost (the number the cost plugin computed
// and reports as extensions.cost), rounded up; a mutation at least a fixed minimum, since its
// price is in the writes, not the selection. A document that never became an operation (parse
// or validation error) costs 1.
import { recordOf } from '../observability/request-record';

/** The one place that reads the cost plugin's number. */
export function queryCostOf(context: object): number | undefined {
  return recordOf(context)?.cost;
}

export function requestCost(context: object, operationType: string | undefined, mutationMinimumCost: number): number {
  const cost = Math.max(1, Math.ceil(queryCostOf(context) ?? 1));
  return operationType === 'mutation' ? Math.max(cost, mutationMinimumCost) : cost;
}

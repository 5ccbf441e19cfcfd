// What one HTTP request did, filled in as it runs and read once by the request log line and
// the metrics: who it acted as, which operation, its cost and outcome. The record hangs off
// the GraphQL context under a symbol: Apollo hands plugins a shallow copy of the context, which
// keeps own symbol properties but not the object's identity.
import type { Context } from '../graphql/context';

export interface RequestRecord {
  userId?: string;
  orgId?: string;
  operationName?: string;
  operationType?: string;
  cost?: number;
  /** ok, error (some field failed), rejected (refused before execution). */
  outcome?: 'ok' | 'error' | 'rejected';
  errorCodes?: string[];
}

const RECORD = Symbol('requestRecord');

type Recorded = { [RECORD]?: RequestRecord };

export function recordOf(context: object | undefined): RequestRecord | undefined {
  return (context as Recorded | undefined)?.[RECORD];
}

/**
 * The same context, but the identity it establishes (lazily, only if a resolver asks) is noted
 * in the record. Nothing is resolved here: a request that never needs a caller never pays.
 */
export function recordingIdentity(inner: Context, record: RequestRecord): Context {
  const note = <T>(promise: Promise<T>, fill: (value: T) => void): Promise<T> =>
    promise.then((value) => {
      fill(value);
      return value;
    });
  const context: Context & Recorded = {
    ...inner,
    caller: () => note(inner.caller(), (caller) => (record.userId = caller.userId)),
    optionalCaller: () => note(inner.optionalCaller(), (caller) => (record.userId = caller?.userId ?? record.userId)),
    viewerDb: () => note(inner.viewerDb(), (db) => (record.userId = db.userId)),
    tenant: () =>
      note(inner.tenant(), (tenant) => {
        record.userId = tenant.userId;
        record.orgId = tenant.orgId;
      }),
    [RECORD]: record,
  };
  return context;
}

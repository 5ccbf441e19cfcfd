// Bounds on how long request code may wait for, and hold, a database transaction.
export interface TransactionLimits {
  /** Wait for a pooled connection at most this long. */
  readonly acquireTimeoutMs: number;
  /** Abort an interactive transaction that runs longer. */
  readonly transactionTimeoutMs: number;
}

export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = { acquireTimeoutMs: 5_000, transactionTimeoutMs: 15_000 };

// Recognizes "the database cannot be reached right now", as opposed to a bug, across the
// layers that can report it (pg, the Prisma driver adapter, the pool).

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
// PostgreSQL SQLSTATEs: admin shutdown, crash shutdown, cannot connect now, too many connections,
// query_canceled (statement timeout).
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '08000', '08003', '08006', '08001', '08004']);
const MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /connection.*(closed|refused|ended)/i,
  /Client has encountered a connection error/i,
  /Can't reach database server/i,
  /canceling statement due to statement timeout/i,
  /pool (is )?(closed|ended)/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; name?: string; kind?: string; originalCode?: string };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATES.has(e.code))) return true;
  if (typeof e.originalCode === 'string' && SQLSTATES.has(e.originalCode)) return true;
  if (e.code === 'P1001' || e.code === 'P1002' || e.code === 'P1017' || e.code === 'P2024') return true;
  if (typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

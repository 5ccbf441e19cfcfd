// JSON logs to stdout (pretty only on a developer's terminal). Secrets never get here:
// headers and variables are not logged, and these paths are redacted as a second line of defence.
import pino, { type Logger } from 'pino';
import type { Config } from '../config';

const SECRET_KEYS = ['password', 'token', 'accessToken', 'refreshToken', 'authorization', 'cookie', 'variables', 'jwtSecret', 'databaseUrl', 'migrationDatabaseUrl'];
/** Each key at the top level, one level down, and under `headers` (a request or its config). */
const REDACTED = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `headers.${key}`, `*.headers.${key}`]);

export function createLogger(config: Pick<Config, 'logLevel' | 'isProduction'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  if (!config.isProduction && process.stdout.isTTY) {
    try {
      require.resolve('pino-pretty');
      return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } });
    } catch {
      // pino-pretty is a dev dependency; without it, plain JSON is fine.
    }
  }
  return pino(options);
}

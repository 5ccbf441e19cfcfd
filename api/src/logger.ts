// JSON logs to stdout (pretty only on a developer's terminal). Secrets never get here:
// headers and variables are not logged, and these paths are redacted as a second line of defence.
import pino, { type Logger } from 'pino';
import type { Config } from './config';

export function createLogger(config: Pick<Config, 'logLevel' | 'isProduction'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'refreshToken', '*.refreshToken'], censor: '[redacted]' },
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

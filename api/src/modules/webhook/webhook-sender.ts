// One HTTP POST to a webhook receiver: bounded in time, never following redirects (a 3xx
// to an internal address would sidestep the SSRF guard), and only ever connecting to
// addresses the guard allows. The response body is discarded; only the status counts.
import http from 'node:http';
import https from 'node:https';
import { RefusedTargetError, assertPublicHost, guardedLookup } from './ssrf-guard';

export interface SendOptions {
  readonly timeoutMs: number;
  readonly allowPrivateTargets: boolean;
}

export interface SendOutcome {
  /** The receiver's status, when it answered. */
  readonly status?: number;
  /** Why the attempt failed, when it did. */
  readonly error?: string;
  readonly isSuccess: boolean;
  /** The guard refused the target: retrying cannot help, so the delivery fails at once. */
  readonly isRefused?: boolean;
}

// Kept-alive connections make back-to-back deliveries to one receiver cheap.
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }) };

export function postWebhook(target: string, body: string, headers: Readonly<Record<string, string>>, options: SendOptions): Promise<SendOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    // Declared before anything can finish: a refusal below settles before the request exists.
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const failed = (error: Error) => finish({ isSuccess: false, error: error.message, isRefused: error instanceof RefusedTargetError });
    let url: URL;
    try {
      url = new URL(target);
      assertPublicHost(url, options.allowPrivateTargets);
    } catch (error) {
      return failed(error as Error);
    }
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      agent: agents[url.protocol as 'http:' | 'https:'],
      lookup: guardedLookup(options.allowPrivateTargets),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'tracker-webhooks/1', ...headers },
    });
    timer = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      response.on('end', () => finish({ status, isSuccess: status >= 200 && status < 300, error: status >= 200 && status < 300 ? undefined : `HTTP ${status}` }));
      response.on('error', (error) => finish({ status, isSuccess: false, error: error.message }));
    });
    request.on('error', failed);
    request.end(body);
  });
}

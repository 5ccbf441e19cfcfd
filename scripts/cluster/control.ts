// The cluster's control interface: JSON over HTTP on a loopback port, for a test or a person
// (`npm run cluster -- ctl <command>`). Commands:
//   status                     instances, the balancer's view of each, traffic, database link
//   events [sinceMs]           timestamped supervisor/balancer events (launch, lb-up, lb-down, exit, ...)
//   refresh [KEY=VALUE ...]    rolling instance refresh; the pairs change the instances' env
//   kill <n>                   SIGKILL instance #n          stop <n>   SIGTERM instance #n (it drains)
//   db-cut [blackhole|reset]   lose the database            db-restore  give it back
//   db-latency <ms>            add ms to every database round trip (0 = off)
//   shutdown                   stop every instance, the balancer and the proxy
import http from 'node:http';
import type { DbFaultProxy } from './db-proxy';
import type { Supervisor } from './supervisor';

export interface ControlTarget {
  readonly supervisor: Supervisor;
  readonly proxy: DbFaultProxy;
  status(): unknown;
  shutdown(): Promise<void>;
}

type Handler = (args: string[]) => Promise<unknown> | unknown;

function handlers(target: ControlTarget): Record<string, Handler> {
  const { supervisor, proxy } = target;
  const instanceId = (args: string[]) => {
    const id = Number(args[0]);
    if (!Number.isInteger(id)) throw new Error('expected an instance number, e.g. `kill 2` (see status)');
    return id;
  };
  return {
    status: () => target.status(),
    events: (args) => supervisor.events.filter((e) => e.at >= Number(args[0] ?? 0)),
    refresh: (args) => supervisor.refresh(Object.fromEntries(args.map((pair) => pair.split(/=(.*)/s, 2) as [string, string]))),
    kill: (args) => {
      supervisor.kill(instanceId(args));
      return { killed: instanceId(args) };
    },
    stop: (args) => {
      supervisor.stop(instanceId(args));
      return { stopping: instanceId(args) };
    },
    'db-cut': (args) => {
      const mode = args[0] ?? 'blackhole';
      if (mode !== 'blackhole' && mode !== 'reset') throw new Error('db-cut takes blackhole (default) or reset');
      proxy.cut(mode);
      supervisor.note('db-cut', undefined, mode);
      return proxy.stats();
    },
    'db-restore': () => {
      proxy.restore();
      proxy.setLatency(0);
      supervisor.note('db-restore');
      return proxy.stats();
    },
    'db-latency': (args) => {
      const ms = Number(args[0]);
      if (!Number.isFinite(ms) || ms < 0) throw new Error('db-latency takes milliseconds, e.g. `db-latency 500`');
      proxy.setLatency(ms);
      supervisor.note('db-latency', undefined, `${ms} ms`);
      return proxy.stats();
    },
    shutdown: () => {
      setImmediate(() => void target.shutdown());
      return { shuttingDown: true };
    },
  };
}

/** POST /<command> with a JSON array of arguments; answers {ok, result} or {ok:false, error}. */
export async function startControlServer(target: ControlTarget, port: number): Promise<http.Server> {
  const table = handlers(target);
  const server = http.createServer(async (req, res) => {
    const command = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]!);
    let body = '';
    for await (const chunk of req) body += chunk;
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const handler = table[command];
    if (!handler) return reply(404, { ok: false, error: `unknown command "${command}"; try: ${Object.keys(table).join(', ')}` });
    try {
      const args = body ? (JSON.parse(body) as string[]) : [];
      reply(200, { ok: true, result: await handler(args) });
    } catch (error) {
      reply(400, { ok: false, error: (error as Error).message });
    }
  });
  // Refreshes take minutes; the control client waits for them.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

/** The client side, used by `ctl` and by the fault tests. */
export async function control<T = unknown>(port: number, command: string, args: string[] = []): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}/${encodeURIComponent(command)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  const payload = (await response.json()) as { ok: boolean; result?: T; error?: string };
  if (!payload.ok) throw new Error(payload.error);
  return payload.result as T;
}

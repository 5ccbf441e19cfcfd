// Monaco runs its language services in web workers. build.ts bundles them as files next to
// main.js, so the page needs neither blob: nor remote worker URLs and the CSP can stay 'self'.
// This module must be evaluated before GraphiQL creates its first editor.
const workerFile: Record<string, string> = { json: 'json.worker.js', graphql: 'graphql.worker.js' };

(globalThis as { MonacoEnvironment?: object }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return new Worker(new URL(`./workers/${workerFile[label] ?? 'editor.worker.js'}`, import.meta.url), { name: label });
  },
};

'use strict';
// "Us" as a whole instance: BENCH_WORKERS copies of the built API (argv[2]) behind one port
// with node:cluster, the way one process per core would serve an EC2 instance's port.
// The primary only distributes connections (round-robin) and forwards SIGTERM.
const cluster = require('node:cluster');

const workers = Number(process.env.BENCH_WORKERS || 2);
cluster.setupPrimary({ exec: process.argv[2], silent: false });
for (let i = 0; i < workers; i++) cluster.fork();
cluster.on('exit', (worker, code) => {
  if (!stopping) {
    console.error(`worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  }
});
let stopping = false;
const stop = () => {
  stopping = true;
  for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers).length === 0) process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Preloaded into a test server process (NODE_OPTIONS=--require): on SIGUSR2 it leaves a
// rejected promise unhandled, as a dependency's background work can, to show what the process
// does with one.
'use strict';
process.on('SIGUSR2', () => {
  Promise.reject(new Error('a stray rejection for the test'));
});

// Prints the scenario table from reports/faults.json after the run.
import { renderTable } from './report';

export default async function globalTeardown(): Promise<void> {
  process.stdout.write(`\nFault scenarios (reports/faults.json):\n${renderTable()}\n`);
}

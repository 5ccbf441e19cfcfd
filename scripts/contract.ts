// npm run contract: writes api/schema.graphql from the code and lists every contract item
// that is missing or incompatible. Exits 1 when anything is. `--only contract.graphql`
// checks a subset of the contract files.
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAppSchema } from '../api/src/graphql-server/schema';
import { CONTRACT_FILES, classifyContractProblems, compareWithContract, loadContract, type ContractFile } from '../api/src/graphql-server/contract-check';
import { PENDING_CONTRACT_ITEMS } from '../api/src/graphql-server/contract-pending';
import { PROJECT_ROOT } from '../api/src/project-root';

const onlyIndex = process.argv.indexOf('--only');
const files: ContractFile[] = onlyIndex > 0 ? [process.argv[onlyIndex + 1] as ContractFile] : [...CONTRACT_FILES];
const schema = buildAppSchema();
writeFileSync(path.join(PROJECT_ROOT, 'api/schema.graphql'), printSchema(lexicographicSortSchema(schema)));
// Later files extend earlier ones, so a file is checked together with those before it.
const last = Math.max(...files.map((file) => CONTRACT_FILES.indexOf(file)));
const contractFiles = CONTRACT_FILES.slice(0, last + 1);
const report = classifyContractProblems(compareWithContract(loadContract(contractFiles), schema), PENDING_CONTRACT_ITEMS);
for (const problem of report.unexpected) console.log(`${problem.type}: ${problem.description}`);
for (const description of report.stale) console.log(`NO LONGER PENDING (remove it from contract-pending.ts): ${description}`);
if (report.pending.length) console.log(`${report.pending.length} contract item(s) listed as pending in api/src/graphql-server/contract-pending.ts.`);
const failures = report.unexpected.length + report.stale.length;
console.log(failures === 0 ? `Schema satisfies ${contractFiles.join(' + ')} except the pending items.` : `${failures} contract problem(s).`);
process.exit(failures === 0 ? 0 : 1);

// npm run contract: writes api/schema.graphql from the code and lists every contract item
// that is missing or incompatible. Exits 1 when anything is. `--only contract.graphql`
// checks a subset of the contract files.
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAppSchema } from '../api/src/graphql/schema';
import { CONTRACT_FILES, compareWithContract, loadContract, type ContractFile } from '../api/src/graphql/contract-check';
import { PROJECT_ROOT } from '../api/src/project-root';

const onlyIndex = process.argv.indexOf('--only');
const files: ContractFile[] = onlyIndex > 0 ? [process.argv[onlyIndex + 1] as ContractFile] : [...CONTRACT_FILES];
const schema = buildAppSchema();
writeFileSync(path.join(PROJECT_ROOT, 'api/schema.graphql'), printSchema(lexicographicSortSchema(schema)));
const contractFiles = files.includes('contract-events.graphql') ? CONTRACT_FILES.slice() : files;
const problems = compareWithContract(loadContract(contractFiles), schema);
for (const problem of problems) console.log(`${problem.type}: ${problem.description}`);
console.log(problems.length === 0 ? `Schema satisfies ${contractFiles.join(' + ')}.` : `${problems.length} contract problem(s).`);
process.exit(problems.length === 0 ? 0 : 1);

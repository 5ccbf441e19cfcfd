// `npm run db:seed`: the demo workspace written into a server database through the real
// services, complete, with its access printed, and a second run that adds nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../src/project-root';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_JWT_SECRET } from '../support/test-env';

jest.setTimeout(180_000);

let database: TestDatabase;
const attachmentsDir = mkdtempSync(join(tmpdir(), 'seed-attachments-'));
beforeAll(async () => {
  database = await createTestDatabase('seed');
});
afterAll(async () => {
  await database?.drop();
  rmSync(attachmentsDir, { recursive: true, force: true });
});

function seed(env: Record<string, string> = { DATABASE_URL: database.appUrl, JWT_SECRET: TEST_JWT_SECRET, ATTACHMENTS_DIR: attachmentsDir }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function counts(): Promise<Record<string, any>> {
  const owner = new Client({ connectionString: database.ownerUrl });
  await owner.connect();
  try {
    const { rows } = await owner.query(`SELECT
      (SELECT count(*)::int FROM organizations) AS orgs, (SELECT count(*)::int FROM memberships) AS members,
      (SELECT count(*)::int FROM projects) AS projects, (SELECT count(*)::int FROM issues) AS issues,
      (SELECT count(DISTINCT status_id)::int FROM issues) AS states_in_use, (SELECT count(*)::int FROM comments) AS comments,
      (SELECT count(*)::int FROM labels) AS labels, (SELECT count(*)::int FROM issue_labels) AS labelled,
      (SELECT count(*)::int FROM issue_links) AS links, (SELECT count(*)::int FROM sprints WHERE state = 'ACTIVE') AS active_sprints,
      (SELECT count(*)::int FROM issue_events WHERE kind = 'CREATED') AS created_events,
      (SELECT count(*)::int FROM issue_events WHERE kind = 'TRANSITIONED') AS transitions,
      (SELECT count(*)::int FROM attachments WHERE completed_at IS NOT NULL) AS attachments,
      (SELECT count(*)::int FROM custom_fields) AS custom_fields,
      (SELECT count(*)::int FROM custom_field_values) AS custom_values,
      (SELECT count(*)::int FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'demo@example.com' AND n.kind = 'MENTIONED') AS demo_mentions,
      (SELECT count(*)::int FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'demo@example.com' AND n.kind = 'ASSIGNED') AS demo_assignments,
      (SELECT array_agg(object_key) FROM attachments) AS object_keys`);
    return rows[0] as Record<string, number>;
  } finally {
    await owner.end();
  }
}

test('seeds one organization with 8 people, 3 projects and 300 issues with history, then leaves it alone', async () => {
  const first = await seed();
  expect(first).toMatchObject({ code: 0 });
  const seeded = await counts();
  expect(seeded).toMatchObject({ orgs: 1, members: 8, projects: 3, issues: 300, states_in_use: 12, labels: 12, links: 15, active_sprints: 3, created_events: 300 });
  expect(seeded.comments).toBeGreaterThan(50);
  expect(seeded.labelled).toBeGreaterThan(50);
  expect(seeded.transitions).toBeGreaterThan(100);
  // The demo user has notifications to look at: mentions and assignments by others.
  expect(seeded.demo_mentions).toBeGreaterThan(3);
  expect(seeded.demo_assignments).toBeGreaterThan(3);
  // A few files, completed through the service and stored in the filesystem store.
  expect(seeded.attachments).toBe(6);
  // Custom fields on one project, with values on 20 of its issues.
  expect(seeded).toMatchObject({ custom_fields: 3, custom_values: 60 });
  expect((seeded.object_keys as string[]).every((key) => existsSync(join(attachmentsDir, ...key.split('/'))))).toBe(true);

  const token = /Authorization: Bearer (\S+)/.exec(first.output)?.[1];
  const orgId = /x-org-id: (\S+)/.exec(first.output)?.[1];
  expect({ token: typeof token, orgId: typeof orgId }).toEqual({ token: 'string', orgId: 'string' });

  const again = await seed();
  expect(again).toMatchObject({ code: 0 });
  expect(/x-org-id: (\S+)/.exec(again.output)?.[1]).toBe(orgId);
  expect(await counts()).toEqual(seeded);
});

test('refuses to guess a database when DATABASE_URL is not set', async () => {
  const { code, output } = await seed({});
  expect(code).toBe(1);
  expect(output).toMatch(/DATABASE_URL is not set/);
});

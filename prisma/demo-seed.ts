// Demo data for a newcomer's first `npm start`: one organization, eight people, three
// projects and ~300 issues with history, written through the real services (so numbering,
// ranks, events and row-level security are exactly what the API would produce).
import type { Logger } from 'pino';
import type { AppServices } from '../api/src/app-services';
import { signAccessToken } from '../api/src/auth/access-token';
import type { Database } from '../api/src/db/prisma-client';
import { toGlobalId } from '../api/src/graphql/global-id';
import type { IssueType, Priority, Role } from '../api/src/generated/prisma/enums';
import { writeFile } from 'node:fs/promises';
import { completeAttachmentUpload, createAttachmentUpload } from '../api/src/modules/attachment/attachment.service';
import { FilesystemStore } from '../api/src/modules/attachment/filesystem-store';
import { addComment } from '../api/src/modules/comment/comment.service';
import { createCustomField, setIssueFields } from '../api/src/modules/custom-field/custom-field.service';
import { createLabel } from '../api/src/modules/label/label.service';
import { linkIssues } from '../api/src/modules/link/link.service';
import { acceptInvitation, inviteMember } from '../api/src/modules/organization/invitation.service';
import { createOrganization } from '../api/src/modules/organization/organization.service';
import { createProject } from '../api/src/modules/project/project.service';
import { createSprint, startSprint } from '../api/src/modules/sprint/sprint.service';
import { createIssue } from '../api/src/modules/issue/issue.service';
import { transitionIssue } from '../api/src/modules/issue/issue-transition.service';
import type { TenantScope } from '../api/src/tenancy/scope';

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password-1234';
const DEMO_ORG_SLUG = 'acme';

export interface DemoAccess {
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  /** Organization.id, for the x-org-id header. */
  readonly orgId: string;
}

const PEOPLE: readonly [string, string, Role][] = [
  ['Ada Lovelace', 'ada@example.com', 'ADMIN'],
  ['Grace Hopper', 'grace@example.com', 'MEMBER'],
  ['Alan Turing', 'alan@example.com', 'MEMBER'],
  ['Katherine Johnson', 'katherine@example.com', 'MEMBER'],
  ['Linus Torvalds', 'linus@example.com', 'MEMBER'],
  ['Margaret Hamilton', 'margaret@example.com', 'MEMBER'],
  ['Vint Cerf', 'vint@example.com', 'VIEWER'],
];

const PROJECTS = [
  { key: 'WEB', name: 'Web app', description: 'The customer-facing web application' },
  { key: 'API', name: 'Public API', description: 'GraphQL API and integrations' },
  { key: 'OPS', name: 'Operations', description: 'Infrastructure, deploys and on-call' },
];

const VERBS = ['Fix', 'Add', 'Improve', 'Refactor', 'Document', 'Investigate', 'Remove', 'Speed up'];
const THINGS = ['login form', 'search results', 'billing page', 'webhook retries', 'rate limiter', 'issue board', 'CSV export', 'audit log', 'dark mode', 'notification emails', 'sprint report', 'API tokens'];
const TYPES: IssueType[] = ['TASK', 'STORY', 'BUG', 'TASK', 'STORY', 'BUG'];
const PRIORITIES: Priority[] = ['NONE', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'URGENT'];

/** Deterministic pseudo-random numbers, so every fresh demo database looks the same. */
function generator(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state % n;
  };
}

async function demoAccess(services: AppServices, userId: string, orgId: string): Promise<DemoAccess> {
  // A development-only convenience: a day-long token so the IDE works without logging in.
  const lifetimeSeconds = 24 * 60 * 60;
  const accessTokenExpiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
  const accessToken = await signAccessToken(services.tokens, userId, lifetimeSeconds);
  return { email: DEMO_EMAIL, password: DEMO_PASSWORD, accessToken, accessTokenExpiresAt, orgId: toGlobalId('Organization', orgId) };
}

/** The account's id, signing it up first if needed (a first start killed halfway left some). */
async function ensureAccount(services: AppServices, database: Database, email: string, name: string, password: string): Promise<string> {
  const existing = await database.prisma.user.findUnique({ where: { email } });
  return existing?.id ?? (await services.sessions.signUp({ email, name, password })).user.id;
}

/** Whether the demo workspace is there (a restart): then seeding needs no pool of its own. */
export async function isDemoSeeded(services: AppServices, database: Database): Promise<boolean> {
  const user = await database.prisma.user.findUnique({ where: { email: DEMO_EMAIL } });
  if (!user) return false;
  return (await services.tenancy.userScope({ userId: user.id }).run((tx) => tx.organization.findUnique({ where: { slug: DEMO_ORG_SLUG } }))) !== null;
}

/** Seeds the demo workspace unless its organization exists; returns how to call the API as its owner. */
export async function seedDemoIfEmpty(services: AppServices, database: Database, logger: Logger): Promise<DemoAccess> {
  const { tenancy } = services;
  const demoUserId = await ensureAccount(services, database, DEMO_EMAIL, 'Demo Owner', DEMO_PASSWORD);
  const seeded = await tenancy.userScope({ userId: demoUserId }).run((tx) => tx.organization.findUnique({ where: { slug: DEMO_ORG_SLUG } }));
  if (seeded) return demoAccess(services, demoUserId, seeded.id);
  const started = Date.now();
  const org = await createOrganization(tenancy.userScope({ userId: demoUserId }), { name: 'Acme Corp', slug: DEMO_ORG_SLUG });
  const owner = await tenancy.requestScope({ orgId: org.id, userId: demoUserId });
  const memberIds = [demoUserId];
  for (const [name, email, role] of PEOPLE) {
    const personId = await ensureAccount(services, database, email, name, `${email}-demo-password`);
    // Members join by invitation, as anyone would: the owner invites, the person accepts.
    const { token } = await inviteMember(owner, email, role, services.config.invitationTtlDays);
    await acceptInvitation(tenancy.userScope({ userId: personId }), token);
    if (role !== 'VIEWER') memberIds.push(personId);
  }
  // Each writes as themselves: the scope carries the member and their role.
  const members = await Promise.all(memberIds.map((userId) => tenancy.requestScope({ orgId: org.id, userId })));
  // The projects are seeded side by side (their issue numbers are independent), each from its
  // own deterministic generator: the database and this process then work at the same time.
  const seedProject = async (spec: (typeof PROJECTS)[number], index: number) => {
    const random = generator(42 + index);
    await createProject(owner, { ...spec, leadId: memberIds[index + 1] });
    const labels = [];
    for (const [name, color] of [['bug', '#D73A4A'], ['frontend', '#1D76DB'], ['backend', '#0E8A16'], ['good first issue', '#7057FF']] as const) {
      labels.push(await createLabel(owner, spec.key, name, color));
    }
    const sprint = await createSprint(owner, { projectKey: spec.key, name: `${spec.key} Sprint 1`, goal: 'Ship the next release' });
    await startSprint(owner, sprint.id);
    const workflow = await owner.db.run((tx) => tx.workflowState.findMany({ where: { projectId: sprint.projectId }, orderBy: { position: 'asc' } }));
    const epic = await createIssue(owner, { projectKey: spec.key, title: `${spec.name}: next release`, type: 'EPIC', priority: 'HIGH' });
    const keys: string[] = [];
    for (let n = 0; n < 99; n++) {
      const actor = members[random(members.length)]!;
      const type = TYPES[random(TYPES.length)]!;
      const issue = await createIssue(actor, {
        projectKey: spec.key,
        title: `${VERBS[random(VERBS.length)]} ${THINGS[random(THINGS.length)]}`,
        description: `Seeded demo issue ${n + 1} of ${spec.name}.`,
        type,
        priority: PRIORITIES[random(PRIORITIES.length)],
        assigneeId: random(4) === 0 ? null : memberIds[random(memberIds.length)],
        labelIds: random(2) === 0 ? [labels[random(labels.length)]!.id] : [],
        parentKey: random(3) === 0 ? `${spec.key}-${epic.number}` : null,
        storyPoints: [1, 2, 3, 5, 8][random(5)],
        sprintId: random(3) === 0 ? sprint.id : null,
      });
      const key = `${spec.key}-${issue.number}`;
      keys.push(key);
      // Walk some issues along the workflow so the board has every column filled.
      for (let step = 1; step <= random(4); step++) await transitionIssue(actor, key, workflow[step]!.id);
      if (random(3) === 0) await addComment(actor, key, `Looked into ${key}: reproducible, taking it.`);
      // Every tenth issue asks the demo user something: their notifications list has mentions (and assignments).
      if (n % 10 === 0 && actor.userId !== demoUserId) await addComment(actor, key, `<@${toGlobalId('User', demoUserId)}> could you take a look?`);
    }
    for (let n = 0; n < 5; n++) await linkIssues(owner, keys[n]!, keys[n + 10]!, n % 2 === 0 ? 'BLOCKS' : 'RELATES_TO');
    await seedAttachments(services, owner, keys.slice(0, 2));
    if (index === 0) await seedCustomFields(owner, spec.key, keys.slice(0, 20));
  };
  await Promise.all(PROJECTS.map(seedProject));
  logger.info({ ms: Date.now() - started }, 'seeded the demo workspace');
  return demoAccess(services, demoUserId, org.id);
}

/** Custom fields on one project, with values on some of its issues (set as a client would). */
async function seedCustomFields(owner: TenantScope, projectKey: string, issueKeys: readonly string[]): Promise<void> {
  const customer = await createCustomField(owner, { projectKey, name: 'Customer', type: 'TEXT' });
  const severity = await createCustomField(owner, { projectKey, name: 'Severity', type: 'SELECT', options: ['S1', 'S2', 'S3', 'S4'] });
  const estimate = await createCustomField(owner, { projectKey, name: 'Estimate (days)', type: 'NUMBER' });
  const customers = ['Globex', 'Initech', 'Umbrella', 'Hooli'];
  for (const [n, key] of issueKeys.entries()) {
    await setIssueFields(owner, key, [
      { fieldId: customer.id, value: customers[n % customers.length] },
      { fieldId: severity.id, value: `S${(n % 4) + 1}` },
      { fieldId: estimate.id, value: (n % 5) + 1 },
    ]);
  }
}

/**
 * A couple of small files per project, through the same create/complete path as a client,
 * with the bytes written straight into the filesystem store (the embedded default). With S3
 * configured the demo has no attachments: the seed does not upload to a real bucket.
 */
async function seedAttachments(services: AppServices, owner: TenantScope, issueKeys: readonly string[]): Promise<void> {
  const store = services.objectStore;
  if (!(store instanceof FilesystemStore)) return;
  const deps = { store, settings: services.config.attachments };
  for (const issueKey of issueKeys) {
    const bytes = Buffer.from(`Notes for ${issueKey}\n\nSteps to reproduce:\n1. Open the page\n2. Watch it fail\n`);
    const upload = await createAttachmentUpload(owner, deps, { issueKey, fileName: `${issueKey} notes.txt`, contentType: 'text/plain', size: bytes.length });
    const key = upload.attachment.objectKey;
    const temporary = await store.temporaryPathFor(key);
    await writeFile(temporary, bytes);
    await store.commit(key, temporary, { size: bytes.length, contentType: 'text/plain' });
    await completeAttachmentUpload(owner, deps, upload.attachment.id);
  }
}

// One GraphQL request's way to its data: the request's one transaction (opened on first use,
// ended exactly once) and the two scopes on it, the caller's own and the x-org-id tenant's.
// The GraphQL context asks for these; it never builds a transaction or a handle itself.
import { AppError } from '../errors/app-error';
import type { RequestTransaction } from './request-transaction';
import type { TenantScope } from './scope';
import type { Tenancy } from './tenancy';
import type { UserDb } from './tenant-db';

export interface RequestScopesInput {
  readonly tenancy: Tenancy;
  /** The caller's user id (or the UNAUTHENTICATED refusal), asked when the transaction opens. */
  readonly userId: () => Promise<string>;
  /**
   * The x-org-id tenant as a row id; undefined without a well-formed header, and then the pin
   * names the caller alone (the context answers tenant fields with the header's own error).
   */
  readonly orgId: string | undefined;
}

export class RequestScopes {
  private request: Promise<RequestTransaction> | undefined;
  private opened: RequestTransaction | undefined;
  private ended = false;
  private mutating = false;
  private user: Promise<UserDb> | undefined;
  private tenant: Promise<TenantScope> | undefined;

  constructor(private readonly input: RequestScopesInput) {}

  /** The caller's own rows (viewer, organizations), on the request's transaction. */
  userScope(): Promise<UserDb> {
    return (this.user ??= this.transaction().then((request) => this.input.tenancy.userScope(request)));
  }

  /** The x-org-id tenant's scope; the pin checks the membership (and for a mutation locks it). */
  tenantScope(): Promise<TenantScope> {
    return (this.tenant ??= this.transaction().then((request) => this.input.tenancy.requestScope(request)));
  }

  /**
   * The operation is a mutation: the pin (when the transaction opens) share-locks the caller's
   * membership, so a removal or role change can't land between the role check and the writes.
   */
  declareMutation(): void {
    this.mutating = true;
  }

  /** Whether one of the request's mutations has written (its savepoint was released). */
  get hasWritten(): boolean {
    return this.opened?.hasWritten ?? false;
  }

  /** Ends the transaction (commit or roll back); the first call decides, later ones only wait. */
  async finish(commit: boolean): Promise<void> {
    this.ended = true;
    const shared = await this.request?.catch(() => undefined);
    await shared?.finish(commit);
  }

  private transaction(): Promise<RequestTransaction> {
    return (this.request ??= this.open());
  }

  private async open(): Promise<RequestTransaction> {
    const userId = await this.input.userId();
    // finish() came first (the client hung up): nothing may open a transaction after it.
    if (this.ended) throw new AppError('SERVICE_UNAVAILABLE', 'The request has already ended');
    this.opened = this.input.tenancy.requestTransaction({ userId, orgId: this.input.orgId, locksMembership: () => this.mutating });
    return this.opened;
  }
}

// The auditLog query and AuditEntry's fields.
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import type { AuditEntry } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { ConnectionArgs, pageOf } from '../../graphql/connection-args';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import type { ConnectionShape } from '../../graphql/pagination';
import { DateTimeScalar } from '../../graphql/scalars';
import { UserObject } from '../user/user.type';
import { listAuditLog } from './audit.service';
import { AuditEntryConnection, AuditEntryObject } from './audit.type';
import { userLoaders, type PublicUser } from '../user/user.loaders';

@Resolver(() => AuditEntryObject)
export class AuditEntryResolver {
  @Query(() => AuditEntryConnection, { description: "ADMIN or OWNER: this organization's audit log, newest first" })
  async auditLog(
    @Arg('action', () => String, { nullable: true }) action: string | null,
    @Arg('actorId', () => ID, { nullable: true }) actorId: string | null,
    @Arg('since', () => DateTimeScalar, { nullable: true }) since: Date | null,
    @Args(() => ConnectionArgs) page: ConnectionArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<AuditEntry>> {
    const tenant = await ctx.tenant();
    const actor = actorId ? fromGlobalId('User', actorId, 'actorId') : null;
    return listAuditLog(tenant, { action, actorId: actor, since }, pageOf(page, info));
  }

  @FieldResolver(() => ID)
  id(@Root() entry: AuditEntry): string {
    return toGlobalId('AuditEntry', entry.id);
  }

  @FieldResolver(() => UserObject, { nullable: true, description: 'Null for the system' })
  async actor(@Root() entry: AuditEntry, @Ctx() ctx: Context): Promise<PublicUser | null> {
    return entry.actorId ? (await (await ctx.tenant()).loaders(userLoaders).user.load(entry.actorId)) ?? null : null;
  }
}

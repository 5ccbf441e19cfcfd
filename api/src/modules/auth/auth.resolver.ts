// Sign-up, log-in, session refresh and API tokens.
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { clientAddressKey } from '../../auth/client-address';
import type { ApiToken } from '../../generated/prisma/client';
import type { Session } from '../../auth/session.service';
import type { Context } from '../../graphql/context';
import { DateTimeScalar } from '../../graphql/scalars';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { ApiTokenObject, AuthPayload, CreatedApiToken, SignUpInput } from './auth.type';

@Resolver(() => ApiTokenObject)
export class AuthResolver {
  @Mutation(() => AuthPayload)
  signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: Context): Promise<Session> {
    ctx.claimPasswordCheck();
    return ctx.services.sessions.signUp(input);
  }

  @Mutation(() => AuthPayload)
  logIn(@Arg('email', () => String) email: string, @Arg('password', () => String) password: string, @Ctx() ctx: Context): Promise<Session> {
    ctx.claimPasswordCheck();
    return ctx.services.sessions.logIn(email, password, clientAddressKey(ctx.clientAddress));
  }

  @Mutation(() => AuthPayload)
  refreshSession(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: Context): Promise<Session> {
    return ctx.services.sessions.refresh(refreshToken);
  }

  @Mutation(() => CreatedApiToken)
  async createApiToken(
    @Arg('name', () => String) name: string,
    @Arg('expiresAt', () => DateTimeScalar, { nullable: true, description: 'Default: 90 days from now; at most 366 days away.' }) expiresAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<{ token: string; apiToken: ApiToken }> {
    return ctx.services.apiTokens.create(await ctx.caller(), name, expiresAt);
  }

  @Query(() => [ApiTokenObject], { description: "The viewer's own API tokens that are not revoked, newest first (never the secret)." })
  async apiTokens(@Ctx() ctx: Context): Promise<ApiToken[]> {
    return ctx.services.apiTokens.list((await ctx.caller()).userId);
  }

  @Mutation(() => Boolean)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.apiTokens.revoke((await ctx.caller()).userId, fromGlobalId('ApiToken', id, 'id', 'API token'));
  }

  @FieldResolver(() => ID)
  id(@Root() token: ApiToken): string {
    return toGlobalId('ApiToken', token.id);
  }
}

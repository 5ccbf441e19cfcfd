// Sign-up, log-in, session refresh and API tokens.
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
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
    return ctx.services.sessions.signUp(input);
  }

  @Mutation(() => AuthPayload)
  logIn(@Arg('email', () => String) email: string, @Arg('password', () => String) password: string, @Ctx() ctx: Context): Promise<Session> {
    return ctx.services.sessions.logIn(email, password);
  }

  @Mutation(() => AuthPayload)
  refreshSession(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: Context): Promise<Session> {
    return ctx.services.sessions.refresh(refreshToken);
  }

  @Mutation(() => CreatedApiToken)
  async createApiToken(
    @Arg('name', () => String) name: string,
    @Arg('expiresAt', () => DateTimeScalar, { nullable: true }) expiresAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<{ token: string; apiToken: ApiToken }> {
    return ctx.services.apiTokens.create((await ctx.caller()).userId, name, expiresAt);
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

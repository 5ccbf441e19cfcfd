// Attachment mutations and fields; Issue.attachments.
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Attachment, Issue } from '../../generated/prisma/client';
import type { Context } from '../../graphql/context';
import { fromGlobalId, toGlobalId } from '../../graphql/global-id';
import { IssueObject } from '../issue/issue.type';
import { UserObject } from '../user/user.type';
import * as attachments from './attachment.service';
import { AttachmentObject, AttachmentUploadObject } from './attachment.type';
import { attachmentLoaders } from './attachment.loaders';
import { issueLoaders } from '../issue/issue.loaders';
import { userLoaders, type PublicUser } from '../user/user.loaders';

function depsOf(ctx: Context): attachments.AttachmentDeps {
  return { store: ctx.services.objectStore, settings: ctx.services.config.attachments };
}

@Resolver(() => AttachmentObject)
export class AttachmentResolver {
  @Mutation(() => AttachmentUploadObject, { description: 'MEMBER and up. The attachment stays invisible until completeAttachmentUpload.' })
  async createAttachmentUpload(
    @Arg('issueKey', () => String) issueKey: string,
    @Arg('fileName', () => String) fileName: string,
    @Arg('contentType', () => String) contentType: string,
    @Arg('size', () => Int) size: number,
    @Ctx() ctx: Context,
  ): Promise<{ attachment: Attachment; uploadUrl: string; uploadHeaders: Readonly<Record<string, string>>; expiresAt: Date }> {
    const tenant = await ctx.tenant();
    const upload = await attachments.createAttachmentUpload(tenant, depsOf(ctx), { issueKey, fileName, contentType, size });
    return { attachment: upload.attachment, uploadUrl: upload.url, uploadHeaders: upload.headers, expiresAt: upload.expiresAt };
  }

  @Mutation(() => AttachmentObject, { description: "Checks the stored object's size and type." })
  async completeAttachmentUpload(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Attachment> {
    const tenant = await ctx.tenant();
    return attachments.completeAttachmentUpload(tenant, depsOf(ctx), fromGlobalId('Attachment', id, 'id'));
  }

  @Mutation(() => Boolean, { description: 'Uploader or ADMIN+.' })
  async deleteAttachment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const tenant = await ctx.tenant();
    return attachments.deleteAttachment(tenant, fromGlobalId('Attachment', id, 'id'));
  }

  @FieldResolver(() => ID)
  id(@Root() attachment: Attachment): string {
    return toGlobalId('Attachment', attachment.id);
  }

  @FieldResolver(() => IssueObject)
  async issue(@Root() attachment: Attachment, @Ctx() ctx: Context): Promise<Issue> {
    return (await (await ctx.tenant()).loaders(issueLoaders).issue.load(attachment.issueId))!;
  }

  @FieldResolver(() => UserObject)
  async uploadedBy(@Root() attachment: Attachment, @Ctx() ctx: Context): Promise<PublicUser> {
    return (await (await ctx.tenant()).loaders(userLoaders).user.load(attachment.uploaderId))!;
  }

  @FieldResolver(() => String, { description: 'A short-lived signed URL.' })
  downloadUrl(@Root() attachment: Attachment, @Ctx() ctx: Context): Promise<string> {
    return attachments.presignDownload(depsOf(ctx), attachment);
  }
}

@Resolver(() => IssueObject)
export class IssueAttachmentsResolver {
  @FieldResolver(() => [AttachmentObject], { description: 'Completed uploads, oldest first.' })
  async attachments(@Root() issue: Issue, @Ctx() ctx: Context): Promise<Attachment[]> {
    return (await ctx.tenant()).loaders(attachmentLoaders).attachmentsByIssue.load(issue.id);
  }
}

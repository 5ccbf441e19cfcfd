// Attachment object types.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

@ObjectType('Attachment', { implements: Node, simpleResolvers: true })
export class AttachmentObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) fileName!: string;
  @Field(() => String) contentType!: string;
  @Field(() => Int, { description: 'Bytes.' }) size!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('AttachmentUpload', { simpleResolvers: true })
export class AttachmentUploadObject {
  @Field(() => AttachmentObject) attachment!: AttachmentObject;
  @Field(() => String, { description: 'PUT the bytes here with uploadHeaders, before expiresAt.' }) uploadUrl!: string;
  @Field(() => JSONScalar) uploadHeaders!: Record<string, string>;
  @Field(() => DateTimeScalar) expiresAt!: Date;
}

// Label object type.
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Label', { simpleResolvers: true })
export class LabelObject {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) color!: string;
}

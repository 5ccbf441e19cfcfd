// Label object type.
import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../node/node.interface';

@ObjectType('Label', { implements: Node, simpleResolvers: true })
export class LabelObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) color!: string;
}

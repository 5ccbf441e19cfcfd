// CustomField, CustomFieldValue and their inputs, exactly as the contract names them.
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CustomFieldType } from '../../generated/prisma/enums';
import { JSONScalar } from '../../graphql/scalars';
import { Node } from '../node/node.interface';

registerEnumType(CustomFieldType, { name: 'CustomFieldType' });
export { CustomFieldType };

@ObjectType('CustomField', { implements: Node, simpleResolvers: true })
export class CustomFieldObject implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => CustomFieldType) type!: CustomFieldType;
  @Field(() => [String], { description: 'SELECT only, in order; empty for other types' }) options!: string[];
  @Field(() => Boolean) required!: boolean;
}

@ObjectType('CustomFieldValue', { simpleResolvers: true })
export class CustomFieldValueObject {
  @Field(() => CustomFieldObject) field!: CustomFieldObject;
  @Field(() => JSONScalar, { nullable: true, description: 'TEXT, DATE (YYYY-MM-DD), SELECT: a string; NUMBER: a number; USER: a User id; null: no value' })
  value!: unknown;
}

@InputType('CustomFieldValueInput')
export class CustomFieldValueInput {
  @Field(() => ID) fieldId!: string;
  @Field(() => JSONScalar, { nullable: true, description: 'null clears' }) value?: unknown;
}

@InputType('CustomFieldFilter')
export class CustomFieldFilter {
  @Field(() => ID) fieldId!: string;
  @Field(() => JSONScalar) equals!: unknown;
}

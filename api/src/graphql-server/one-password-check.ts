// A password check is argon2id on purpose: slow and memory-hungry. One document may therefore
// hold at most one logIn or signUp field (aliases and fragments counted), refused with
// GRAPHQL_VALIDATION_FAILED before anything runs; Context.claimPasswordCheck covers batches.
import { GraphQLError, type ValidationRule } from 'graphql';

const PASSWORD_FIELDS: ReadonlySet<string> = new Set(['logIn', 'signUp']);

export const onePasswordCheck: ValidationRule = (context) => {
  let seen = 0;
  return {
    Field(node) {
      const parent = context.getParentType();
      if (!parent || parent !== context.getSchema().getMutationType() || !PASSWORD_FIELDS.has(node.name.value)) return;
      seen += 1;
      if (seen === 2) context.reportError(new GraphQLError('One logIn or signUp per request: each checks a password, which is deliberately slow', { nodes: node }));
    },
  };
};

// Hides graphql-js's "Did you mean …?" hints from every error a client sees when field
// suggestions are off. Armor and Apollo hide them in validation errors only; variable coercion
// ('Field "titel" is not defined by type "CreateIssueInput". Did you mean "title"?') and enum
// values name schema members too, which maps the schema for someone without introspection.
import type { ApolloServerPlugin } from '@apollo/server';

const SUGGESTION = / ?Did you mean [^?]*\?/g;
const HAS_SUGGESTION = /Did you mean /;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

export function hideSuggestionsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (!result.errors?.some((error) => HAS_SUGGESTION.test(error.message))) return;
          result.errors = result.errors.map((error) => ({ ...error, message: withoutSuggestions(error.message) }));
        },
      };
    },
  };
}

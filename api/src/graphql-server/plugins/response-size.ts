// Refuses a GraphQL response over HTTP that is larger than RESPONSE_MAX_BYTES, or that the
// instance's response pool cannot take now, before it is serialized: the client gets one clear
// error and no data, never a truncated body. Long texts were charged as they resolved
// (long-text.ts); here the whole result is measured and the reservation grown to its size.
import type { ApolloServerPlugin } from '@apollo/server';
import { AppError } from '../../errors/app-error';
import { appErrorEntry } from '../../errors/error-body';
import { httpStatusOf, RETRY_AFTER_SECONDS } from '../../errors/error-code';
import type { Context } from '../../graphql/context';
import { jsonBytes } from '../../graphql/json-size';
import { currentReservation } from '../response-budget';

export function responseSizePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async willSendResponse({ response }) {
          const reservation = currentReservation();
          if (!reservation || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (!reservation.refusal) {
            try {
              reservation.reserve(jsonBytes(result, reservation.maxBytes));
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
            }
          }
          const refusal = reservation.refusal;
          if (!refusal) return;
          response.body.singleResult = { errors: [appErrorEntry(refusal, { requestId: contextValue.requestId })] };
          response.http.status = httpStatusOf(refusal.code);
          if (refusal.code === 'SERVICE_UNAVAILABLE') response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

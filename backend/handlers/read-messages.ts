/** Lambda entry point of the ReadMessages function (backend/http/routes.ts): query permission only. */
import { readMessagesEndpoint } from '../http/endpoints.ts';
import { createService } from './composition.ts';
import { instrument, observer } from './instrument.ts';
import * as powertools from './powertools.ts';

export const handler = instrument(
  powertools,
  readMessagesEndpoint(createService(powertools), observer(powertools)),
);

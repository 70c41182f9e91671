/** Lambda entry point of the PostMessage function (backend/http/routes.ts): put permission only. */
import { postMessageEndpoint } from '../http/endpoints.ts';
import { createService } from './composition.ts';
import { instrument, observer } from './instrument.ts';
import * as powertools from './powertools.ts';

export const handler = instrument(
  powertools,
  postMessageEndpoint(createService(powertools), observer(powertools)),
);

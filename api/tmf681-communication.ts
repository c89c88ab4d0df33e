/**
 * TMF681 Communication Management v4: the communicationMessage records of what was sent to
 * customers (and staff). Readable by admin, agent and customer (a customer sees only the
 * messages whose `receiver[].party` of `@referredType` Customer is itself), writable by admin
 * and agent. Writing through the API records a message; it does not send one (sending is the
 * notification activity's job).
 */
import { communicationMessageModel } from '../db/notifications';
import { communicationMessageSchema } from './schemas/tmf681';
import { TmfApi, type TmfApiDeps } from './tmf/resource';

export function communicationApi(deps: TmfApiDeps): TmfApi {
  const { apiName: _apiName, ...model } = communicationMessageModel;
  return new TmfApi(communicationMessageModel.apiName, deps).resource({
    ...model,
    schema: communicationMessageSchema,
    access: { read: ['admin', 'agent', 'customer'], write: ['admin', 'agent'] },
  });
}

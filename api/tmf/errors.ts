/** TMF error bodies `{code, reason, message, status}` and the error middleware that writes them. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

import { TmfError } from '../../domain/errors';

export { TmfError, badRequest, conflict, notFound } from '../../domain/errors';

/** The optional Idempotency-Key header of a POST: 1 to 200 visible ASCII characters, else 400. */
export function idempotencyKeyOf(req: { get(name: string): string | undefined }): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw new TmfError(400, 'Bad Request', 'Idempotency-Key: 1 to 200 visible ASCII characters');
  return key;
}

/** TMF Error resource body. */
export function errorBody(status: number, reason: string, message: string) {
  return { code: String(status), reason, message, status: String(status), '@type': 'Error' };
}

/** Names each invalid field: `price.value: expected number, received string`. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}

/** 404 for any route nobody claimed. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new TmfError(404, 'Not Found', `no resource at ${req.method} ${req.path}`));
};

/** Maps every error to a TMF error body; 5xx details go to the log, never to the client. */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  let status = 500;
  let reason = 'Internal Server Error';
  let message = 'internal error';
  if (err instanceof TmfError) {
    ({ status, reason, message } = err);
  } else if (err instanceof ZodError) {
    status = 400;
    reason = 'Bad Request';
    message = describeZodError(err);
  } else if (err?.type === 'entity.too.large') {
    status = 413;
    reason = 'Payload Too Large';
    message = `request body larger than ${err.limit} bytes`;
  } else if (err?.type === 'entity.parse.failed') {
    status = 400;
    reason = 'Bad Request';
    message = `malformed JSON: ${err.message}`;
  } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    status = err.status;
    reason = 'Bad Request';
    message = err.message;
  } else {
    req.log?.error({ err }, 'unhandled error');
  }
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(status).json(errorBody(status, reason, message));
};

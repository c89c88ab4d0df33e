/**
 * A rule the request broke, with the HTTP status it answers with. Any floor may throw it (the
 * API writes it as a TMF error body); it is here so that db/ and activities/ need not import api/.
 */
export class TmfError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new TmfError(404, 'Not Found', `${what} not found`);
export const badRequest = (message: string) => new TmfError(400, 'Bad Request', message);
export const conflict = (message: string) => new TmfError(409, 'Conflict', message);

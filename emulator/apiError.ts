/**
 * An HTTP error answer of the emulated Neon API. Handlers throw it; the server turns it into the
 * `{code, message}` body (the OpenAPI `GeneralError`) with the status. It never leaves the emulator.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** 400 with a message saying which value is wrong and what is allowed. */
export const badRequest = (message: string): ApiError => new ApiError(400, "BAD_REQUEST", message);

/** 404 for an object that does not exist (or no longer exists) in this account. */
export const notFound = (what: string): ApiError => new ApiError(404, "NOT_FOUND", `${what} not found`);

/** 423: Neon refuses a mutation while another operation of the same project is still running. */
export const locked = (): ApiError =>
  new ApiError(
    423,
    "LOCKED",
    "project already has running conflicting operations, scheduling of new ones is prohibited",
  );

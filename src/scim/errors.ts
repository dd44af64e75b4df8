/**
 * SCIM protocol errors (RFC 7644 §3.12). A `ScimError` carries the HTTP status,
 * the optional `scimType` keyword and a `detail` a person can act on; the HTTP
 * layer (`src/http/errors.ts`) is the one place it becomes a response.
 */

/** The `scimType` keywords of RFC 7644 §3.12 Table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** The error message schema URN, RFC 7644 §3.12. */
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An error answered to a SCIM client in the RFC 7644 §3.12 shape. */
export class ScimError extends Error {
  /**
   * @param status HTTP status code (400–599).
   * @param scimType RFC 7644 §3.12 keyword, only where the RFC defines one for the status.
   * @param detail human-readable explanation naming the offending attribute or value.
   */
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  /** The JSON body: `{schemas, status (a string), scimType?, detail}`. */
  toJSON(): Record<string, unknown> {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

/** 400 `invalidValue`: a value has the wrong type, is missing where required, or is not allowed. */
export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
/** 400 `invalidSyntax`: the request body is not parsable or violates the message schema. */
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
/** 400 `invalidFilter`: the filter syntax is invalid or names an unfilterable attribute. */
export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
/** 400 `invalidPath`: a PATCH path is malformed or names an unknown attribute. */
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
/** 400 `noTarget`: a PATCH path with a filter matched nothing where a target is required. */
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
/** 400 `mutability`: an attempt to change a readOnly or immutable attribute. */
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
/** 409 `uniqueness`: a value that must be unique (e.g. `userName`) is already taken. */
export const uniqueness = (detail: string) => new ScimError(409, 'uniqueness', detail);
/** 404: the resource does not exist in the caller's organisation. */
export const notFound = (detail: string) => new ScimError(404, undefined, detail);

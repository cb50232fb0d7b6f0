/** The error codes Log Analytics uses for a query it refuses (the `innererror` code of its 400 answer). */
export type KqlErrorCode = 'BadArgumentError' | 'SemanticError' | 'SyntaxError';

/**
 * A query the lab refuses, as Log Analytics would: a parse error (SyntaxError),
 * an unknown table, column or function or a type error (SemanticError, with the
 * language service's own message), or a part of KQL the lab does not evaluate
 * (BadArgumentError). The lab's HTTP server turns it into a 400.
 */
export class KqlError extends Error {
  /** 'SyntaxError', 'SemanticError' or 'BadArgumentError'. */
  readonly code: KqlErrorCode;
  /** Offset of the offending text in the query, when known. */
  readonly position: number | undefined;

  constructor(code: KqlErrorCode, message: string, position?: number) {
    super(message);
    this.name = 'KqlError';
    this.code = code;
    this.position = position;
  }
}

/** Errors that are the user's to fix: the CLI prints one line and exits 2; the bot says what to do. */

/** Input that cannot be used: a bad file, a bad scenario, a question that needs clarification. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  /** A stable machine code, e.g. `capture.unknown-format`, `question.unknown-name`. */
  readonly code: string;
  /** Closest matches, for a clarification. */
  readonly candidates: string[] | undefined;

  constructor(code: string, message: string, candidates?: string[]) {
    super(message);
    this.code = code;
    this.candidates = candidates;
  }
}

/** True when the error is the user's to fix (no stack trace is shown for it). */
export function isUserInputError(error: unknown): error is UserInputError {
  return error instanceof UserInputError;
}

/** `netproof capture`: lands with the capture analyser. */
import { UserInputError } from '../domain/errors.js';

/** Runs `netproof capture`. */
export async function runCapture(..._args: unknown[]): Promise<void> {
  throw new UserInputError('command.unavailable', 'netproof capture is not available in this build yet');
}

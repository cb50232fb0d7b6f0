/** `netproof ask`: lands with its issue; until then it says so. */
import { UserInputError } from '../domain/errors.js';

/** Runs `netproof ask`. */
export async function runAsk(..._args: unknown[]): Promise<void> {
  throw new UserInputError('command.unavailable', 'netproof ask is not available in this build yet');
}

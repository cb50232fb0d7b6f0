/** `netproof coverage`: lands with its issue; until then it says so. */
import { UserInputError } from '../domain/errors.js';

/** Runs `netproof coverage`. */
export async function runCoverage(..._args: unknown[]): Promise<void> {
  throw new UserInputError('command.unavailable', 'netproof coverage is not available in this build yet');
}

/** `netproof lab`: lands with its issue; until then it says so. */
import { UserInputError } from '../domain/errors.js';

/** Runs `netproof lab`. */
export async function runLab(..._args: unknown[]): Promise<void> {
  throw new UserInputError('command.unavailable', 'netproof lab is not available in this build yet');
}

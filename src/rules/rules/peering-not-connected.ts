/** `peering_not_connected`: a VNet peering on the path is Initiated or Disconnected, so its routes are gone. */
import { analyse } from '../context.js';
import { pathProblemFinding } from '../findings.js';
import type { Rule } from '../types.js';

/** A peering on the path that is not Connected. */
export const peeringNotConnected: Rule = {
  name: 'peering-not-connected',
  run: (input) => pathProblemFinding(analyse(input), 'peering_not_connected', 'peering'),
};

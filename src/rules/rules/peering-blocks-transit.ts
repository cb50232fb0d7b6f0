/**
 * `peering_blocks_transit`: a peering setting stops the flow: forwarded traffic not allowed
 * (a firewall or NVA forwards it), gateway transit or use remote gateways off, or virtual network access off.
 */
import { analyse } from '../context.js';
import { pathProblemFinding } from '../findings.js';
import type { Rule } from '../types.js';

/** A peering setting that stops the flow. */
export const peeringBlocksTransit: Rule = {
  name: 'peering-blocks-transit',
  run: (input) => pathProblemFinding(analyse(input), 'peering_blocks_transit', 'peering'),
};

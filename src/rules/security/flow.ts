/** The five-tuple (plus name) that NSG and firewall evaluation match on. */
import type { Protocol } from '../../domain/vocabulary.js';

/** One direction of a flow. */
export interface FlowTuple {
  sourceIp: string;
  sourcePort: number | null;
  destinationIp: string;
  destinationPort: number | null;
  protocol: Protocol;
  /** The name the client asked for (SNI / Host), for firewall application and FQDN rules. */
  fqdn: string | null;
}

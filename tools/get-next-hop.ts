/** get_next_hop: Network Watcher's next hop from a VM towards an address. */
import { z } from 'zod';
import { closestResourceNames, estateOf, findVirtualMachine } from './support/estate.js';
import { callSource, gapError, isToolResult } from './support/outcome.js';
import { defineTool, failure, notFound, success } from './support/tool.js';
import { ipAddress, resourceName } from './support/values.js';

export const getNextHop = defineTool({
  name: 'get_next_hop',
  description: [
    'Asks Network Watcher where a packet from a VM towards an address goes next (VirtualAppliance and its IP, VnetLocal, VirtualNetworkGateway, Internet, None) and which route table decides.',
    'Use it to check one leg of a path, e.g. the return path from the destination VM back to the source.',
  ].join(' '),
  input: z.object({
    vm: resourceName.describe('The VM the packet leaves from'),
    destinationIp: ipAddress,
    sourceIp: ipAddress.optional().describe('One of the VM\'s own addresses; default its first private IP'),
  }).strict(),
  async run(input, context) {
    const topology = await estateOf(context);
    const found = topology ? findVirtualMachine(topology, input.vm) : null;
    if (!found) return notFound(`VM "${input.vm}"`, closestResourceNames(topology, input.vm, ['virtualMachine', 'virtualMachineScaleSet']));
    const { machine, nic } = found;
    if (!nic) return failure('no_network_interface', `${machine.name} has no network interface in the estate`);
    const sourceIp = input.sourceIp ?? nic.privateIpAddresses[0];
    if (!sourceIp) return failure('no_address', `${nic.name} has no private IP address`);
    if (!nic.privateIpAddresses.includes(sourceIp)) return failure('invalid_arguments', `${sourceIp} is not an address of ${machine.name} (${nic.privateIpAddresses.join(', ')})`);
    const outcome = await callSource(() => context.sources.nextHop(machine.id, nic.id, sourceIp, input.destinationIp, context.signal));
    if (isToolResult(outcome)) return outcome;
    const hop = outcome.evidence.find((draft) => draft.kind === 'next-hop');
    if (!hop || hop.kind !== 'next-hop') return gapError(outcome.gaps) ?? failure('no_answer', 'Network Watcher returned no next hop');
    return success({
      vm: machine.name, sourceIp, destinationIp: input.destinationIp,
      nextHopType: hop.data.nextHopType, nextHopIpAddress: hop.data.nextHopIpAddress,
      routeTable: hop.data.routeTableId, summary: hop.summary, query: hop.query,
    });
  },
});

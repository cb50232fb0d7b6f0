/** verify_ip_flow: Network Watcher IP flow verify (does the effective NSG allow one packet). */
import { z } from 'zod';
import { closestResourceNames, estateOf, findVirtualMachine } from './support/estate.js';
import { callSource, gapError, isToolResult } from './support/outcome.js';
import { defineTool, failure, notFound, success } from './support/tool.js';
import { ipAddress, port, resourceName } from './support/values.js';

export const verifyIpFlow = defineTool({
  name: 'verify_ip_flow',
  description: [
    'Asks Network Watcher whether the network security groups of a VM allow one packet in or out, and which security rule decides.',
    'Inbound: remoteIp is the caller and localPort the VM\'s listening port. It says nothing about firewalls or routes.',
  ].join(' '),
  input: z.object({
    vm: resourceName,
    direction: z.enum(['Inbound', 'Outbound']),
    protocol: z.enum(['TCP', 'UDP']),
    localPort: port.describe('Port on the VM'),
    remoteIp: ipAddress,
    remotePort: port.optional().describe('Port on the remote side; default any'),
    localIp: ipAddress.optional().describe('One of the VM\'s addresses; default its first private IP'),
  }).strict(),
  async run(input, context) {
    const topology = await estateOf(context);
    const found = topology ? findVirtualMachine(topology, input.vm) : null;
    if (!found) return notFound(`VM "${input.vm}"`, closestResourceNames(topology, input.vm, ['virtualMachine', 'virtualMachineScaleSet']));
    const localIp = input.localIp ?? found.nic?.privateIpAddresses[0];
    if (!localIp) return failure('no_address', `${found.machine.name} has no private IP address`);
    if (found.nic && !found.nic.privateIpAddresses.includes(localIp)) return failure('invalid_arguments', `${localIp} is not an address of ${found.machine.name}`);
    const request = {
      vmId: found.machine.id, direction: input.direction, protocol: input.protocol, localIp, localPort: String(input.localPort),
      remoteIp: input.remoteIp, remotePort: input.remotePort === undefined ? '*' : String(input.remotePort),
    };
    const outcome = await callSource(() => context.sources.ipFlowVerify(request, context.signal));
    if (isToolResult(outcome)) return outcome;
    const answer = outcome.evidence.find((draft) => draft.kind === 'ip-flow-verify');
    if (!answer || answer.kind !== 'ip-flow-verify') return gapError(outcome.gaps) ?? failure('no_answer', 'Network Watcher returned no answer');
    return success({ vm: found.machine.name, ...answer.data, summary: answer.summary, query: answer.query });
  },
});

/**
 * start_packet_capture: asks for a packet capture on a VM. Writes need a human
 * (ARCHITECTURE principle 7): this tool NEVER starts one. It returns a request
 * that an authorised user must confirm in Teams; the bot runs it after that.
 */
import { z } from 'zod';
import { closestResourceNames, estateOf, findVirtualMachine } from './support/estate.js';
import { defineTool, failure, notFound, success, type PacketCaptureRequest } from './support/tool.js';
import { ipAddress, port, resourceName } from './support/values.js';

export const startPacketCapture = defineTool({
  name: 'start_packet_capture',
  description: [
    'Proposes a Network Watcher packet capture on a VM, for when the logs cannot decide (e.g. does the server answer at all).',
    'It does NOT start anything: it returns a pending request that an authorised person must confirm in Teams. Tell the user it awaits confirmation.',
  ].join(' '),
  input: z.object({
    vm: resourceName,
    durationInSeconds: z.number().int().min(10).describe('How long to capture, seconds'),
    protocol: z.enum(['TCP', 'UDP', 'Any']).default('Any'),
    remoteIp: ipAddress.optional().describe('Only packets to or from this address'),
    localPort: port.optional().describe('Only packets on this port of the VM'),
  }).strict(),
  async run(input, context) {
    if (input.durationInSeconds > context.limits.captureSeconds) {
      return failure('invalid_arguments', `a capture lasts at most ${context.limits.captureSeconds} seconds`);
    }
    const topology = await estateOf(context);
    const found = topology ? findVirtualMachine(topology, input.vm) : null;
    if (!found) return notFound(`VM "${input.vm}"`, closestResourceNames(topology, input.vm, ['virtualMachine', 'virtualMachineScaleSet']));
    const request: PacketCaptureRequest = {
      id: `capture-request-${context.turn.captureRequests.length + 1}`,
      virtualMachineId: found.machine.id,
      virtualMachineName: found.machine.name,
      durationInSeconds: input.durationInSeconds,
      maxBytes: context.limits.captureBytes,
      filters: [{ protocol: input.protocol, localIp: found.nic?.privateIpAddresses[0] ?? null, remoteIp: input.remoteIp ?? null, localPort: input.localPort ?? null, remotePort: null }],
    };
    context.turn.captureRequests.push(request);
    return success({
      status: 'pending-confirmation',
      request,
      message: 'Nothing has started. The capture waits for an authorised user to confirm it in Teams; say so in the answer.',
    });
  },
});

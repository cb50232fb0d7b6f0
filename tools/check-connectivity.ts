/** check_connectivity: Network Watcher connection troubleshoot from a VM. */
import { z } from 'zod';
import { closestResourceNames, estateOf, findVirtualMachine } from './support/estate.js';
import { callSource, gapError, isToolResult } from './support/outcome.js';
import { defineTool, failure, notFound, success } from './support/tool.js';
import { ipAddress, port, resourceName } from './support/values.js';

const hostName = z.string().max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/iu, 'a DNS host name, e.g. kv-prod.vault.azure.net')
  .describe('A DNS host name, e.g. kv-prod.vault.azure.net');

export const checkConnectivity = defineTool({
  name: 'check_connectivity',
  description: [
    'Runs Network Watcher connection troubleshoot from a VM to an address or host name: Reachable or Unreachable, the hops, and issues per hop.',
    'Caution: through an Azure Firewall application rule a probe can succeed while real traffic is denied; the firewall logs decide.',
  ].join(' '),
  input: z.object({
    sourceVm: resourceName,
    destinationIp: ipAddress.optional(),
    destinationHost: hostName.optional(),
    port: port.optional(),
    protocol: z.enum(['Tcp', 'Icmp', 'Http', 'Https']).default('Tcp'),
  }).strict(),
  async run(input, context) {
    const destination = input.destinationIp ?? input.destinationHost;
    if (!destination) return failure('invalid_arguments', 'give destinationIp or destinationHost');
    if (input.protocol !== 'Icmp' && input.port === undefined) return failure('invalid_arguments', `${input.protocol} needs a port`);
    const topology = await estateOf(context);
    const found = topology ? findVirtualMachine(topology, input.sourceVm) : null;
    if (!found) return notFound(`VM "${input.sourceVm}"`, closestResourceNames(topology, input.sourceVm, ['virtualMachine', 'virtualMachineScaleSet']));
    const request = { sourceVmId: found.machine.id, destinationAddress: destination, port: input.port ?? null, protocol: input.protocol };
    const outcome = await callSource(() => context.sources.connectivityCheck(request, context.signal));
    if (isToolResult(outcome)) return outcome;
    const answer = outcome.evidence.find((draft) => draft.kind === 'connectivity-check');
    if (!answer || answer.kind !== 'connectivity-check') return gapError(outcome.gaps) ?? failure('no_answer', 'Network Watcher returned no answer');
    return success({
      sourceVm: found.machine.name, destination, port: input.port ?? null,
      connectionStatus: answer.data.connectionStatus, probesSent: answer.data.probesSent, probesFailed: answer.data.probesFailed,
      hops: answer.data.hops.slice(0, 20).map((hop) => ({ type: hop.type, address: hop.address, issues: hop.issues })),
      summary: answer.summary, query: answer.query,
    });
  },
});

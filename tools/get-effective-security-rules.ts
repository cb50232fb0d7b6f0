/** get_effective_security_rules: the NSG rules that apply to a VM's NIC (subnet and NIC NSGs). */
import { z } from 'zod';
import { closestResourceNames, estateOf, findNetworkInterface } from './support/estate.js';
import { callSource, gapError, isToolResult } from './support/outcome.js';
import { defineTool, failure, notFound, success } from './support/tool.js';
import { page, paginate, resourceName } from './support/values.js';

export const getEffectiveSecurityRules = defineTool({
  name: 'get_effective_security_rules',
  description: [
    'Reads the effective security rules of a VM\'s network interface: every rule of the subnet NSG and the NIC NSG, by direction and priority (lower first).',
    'Inbound traffic must pass the subnet NSG then the NIC NSG; outbound the NIC NSG then the subnet NSG.',
  ].join(' '),
  input: z.object({
    vm: resourceName.describe('A VM name or a network interface name'),
    direction: z.enum(['Inbound', 'Outbound']).optional(),
    page,
  }).strict(),
  async run(input, context) {
    const topology = await estateOf(context);
    const nic = topology ? findNetworkInterface(topology, input.vm) : null;
    if (!nic) return notFound(`VM or network interface "${input.vm}"`, closestResourceNames(topology, input.vm, ['virtualMachine', 'networkInterface']));
    const outcome = await callSource(() => context.sources.effectiveSecurityRules(nic.id, context.signal));
    if (isToolResult(outcome)) return outcome;
    const answer = outcome.evidence.find((draft) => draft.kind === 'effective-security-rules');
    if (!answer || answer.kind !== 'effective-security-rules') return gapError(outcome.gaps) ?? failure('no_answer', 'no effective security rules returned');
    const rules = answer.data.rules
      .filter((rule) => !input.direction || rule.direction === input.direction)
      .map((rule) => ({
        appliedTo: rule.appliedTo, networkSecurityGroup: rule.networkSecurityGroupId?.split('/').pop() ?? null, name: rule.name, priority: rule.priority,
        direction: rule.direction, access: rule.access, protocol: rule.protocol,
        source: rule.sourcePrefixes, sourcePorts: rule.sourcePortRanges, destination: rule.destinationPrefixes, destinationPorts: rule.destinationPortRanges,
      }))
      .sort((a, b) => a.direction.localeCompare(b.direction) || a.appliedTo.localeCompare(b.appliedTo) || a.priority - b.priority);
    const shown = paginate(rules, input.page);
    return success({ networkInterface: nic.name, rules: shown.items, paging: { page: shown.page, pages: shown.pages, total: shown.total, more: shown.more }, query: answer.query });
  },
});

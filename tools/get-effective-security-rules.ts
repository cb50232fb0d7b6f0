/** get_effective_security_rules: the NSG rules that apply to a VM's NIC (subnet and NIC NSGs). */
import { z } from 'zod';
import { nicAnswer } from './support/estate.js';
import { isToolResult } from './support/outcome.js';
import { defineTool, success } from './support/tool.js';
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
    const found = await nicAnswer(input.vm, context, 'effective-security-rules', (nicId, signal) => context.sources.effectiveSecurityRules(nicId, signal));
    if (isToolResult(found)) return found;
    const { networkInterface: nic, answer } = found;
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

/**
 * The plan as `az` CLI commands (pure), to review and run in order: the custom copy of the
 * definition (interval default 10), then per region the assignment with its system-assigned
 * identity and Contributor role, role assignments outside its subscription, and a remediation
 * task for the VNets that exist now. Every value is single-quoted for a POSIX shell.
 */
import { CONTRIBUTOR_ROLE_ID, FLOW_LOG_POLICY_DEPLOY, type PlanAssignment } from '../domain/coverage.js';
import { CUSTOM_DEFINITION, customParameters } from './template.js';

/** A value as one POSIX shell word: single-quoted, a `'` inside written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/gu, `'\\''`)}'`;
}

const command = (words: ReadonlyArray<string | [string, string]>) =>
  words.map((word) => (typeof word === 'string' ? word : `${word[0]} ${shellQuote(word[1])}`)).join(' ');

/** The commands of a plan; `definitionSubscriptions` are where the custom copy is created. */
export function azCommands(assignments: readonly PlanAssignment[], definitionSubscriptions: readonly string[]): string[] {
  if (assignments.length === 0) return [];
  const lines: string[] = [];
  const ruleFile = `${CUSTOM_DEFINITION}.rule.json`;
  lines.push(`# Custom copy of ${FLOW_LOG_POLICY_DEPLOY} with timeInterval defaulting to "10" (assigning the built-in with the interval set can hang in the portal).`);
  lines.push(`${command(['az policy definition show', ['--name', FLOW_LOG_POLICY_DEPLOY.split('/').pop() ?? ''], ['--query', 'policyRule'], ['--output', 'json']])} > ${shellQuote(ruleFile)}`);
  for (const subscriptionId of definitionSubscriptions) {
    lines.push(command(['az policy definition create',
      ['--name', CUSTOM_DEFINITION], ['--display-name', 'Configure virtual network to enable Flow Log and Traffic Analytics (Traffic Analytics every 10 minutes by default)'],
      ['--mode', 'Indexed'], ['--metadata', 'category=Network'], ['--rules', ruleFile], ['--params', JSON.stringify(customParameters(null))], ['--subscription', subscriptionId]]));
  }
  for (const assignment of assignments) {
    const assignmentId = `${assignment.scope}/providers/Microsoft.Authorization/policyAssignments/${assignment.name}`;
    const parameters = Object.fromEntries(Object.entries(assignment.parameters).map(([name, value]) => [name, { value }]));
    lines.push(`# ${assignment.region}: VNet flow logs with Traffic Analytics every 10 minutes for ${assignment.vnets.join(', ')}.`);
    lines.push(command(['az policy assignment create',
      ['--name', assignment.name], ['--display-name', `VNet flow logs with Traffic Analytics (10 minutes) in ${assignment.region}`],
      ['--scope', assignment.scope], ['--policy', assignment.policyDefinitionId], ['--params', JSON.stringify(parameters)],
      '--mi-system-assigned', ['--location', assignment.identity.location], ['--identity-scope', assignment.scope], ['--role', CONTRIBUTOR_ROLE_ID]]));
    for (const role of assignment.roleAssignments.filter((candidate) => candidate.scope.toLowerCase() !== assignment.scope.toLowerCase())) {
      const principal = command(['az policy assignment show', ['--name', assignment.name], ['--scope', assignment.scope], ['--query', 'identity.principalId'], ['--output', 'tsv']]);
      lines.push(`${command(['az role assignment create'])} --assignee-object-id "$(${principal})" ${command([['--assignee-principal-type', 'ServicePrincipal'], ['--role', CONTRIBUTOR_ROLE_ID], ['--scope', role.scope]])}`);
    }
    lines.push(command(['az policy remediation create',
      ['--name', `${assignment.name}-remediation`], ['--policy-assignment', assignmentId],
      ['--resource-discovery-mode', 'ReEvaluateCompliance'], ['--subscription', assignment.scope.split('/')[2] ?? '']]));
  }
  return lines;
}

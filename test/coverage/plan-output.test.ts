/**
 * The plan's outputs: the ARM deployment template (shape, only resources of the scenario, the
 * definition ids and parameter names of AZURE.md section 10, no data ARM would evaluate) and the
 * `az` commands (every value survives a real POSIX shell, quotes and spaces included).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { armLiteral, azCommands, shellQuote } from '../../src/coverage/index.js';
import { FLOW_LOG_POLICY_DEFINITIONS, FLOW_LOG_POLICY_PARAMETERS, type PlanAssignment } from '../../src/domain/coverage.js';
import { coverageOfResources, scenarioResources } from './fixtures.js';

const report = coverageOfResources(scenarioResources('coverage-mixed-estate'));
const existing = new Set(scenarioResources('coverage-mixed-estate').map((resource) => resource.id.toLowerCase()));
const SUBSCRIPTION_OF_ESTATE = '5460ade7-51a4-47a2-9a10-e392ba4dbd58';

/** Every string in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('the ARM deployment template', () => {
  const [entry] = report.plan.templates;
  const template = entry?.template as { $schema: string; contentVersion: string; parameters: Record<string, { type: string }>; resources: Array<Record<string, unknown>> };

  it('is one subscription-level deployment template', () => {
    expect(report.plan.templates).toHaveLength(1);
    expect(entry?.subscriptionId).toBe(SUBSCRIPTION_OF_ESTATE);
    expect(template.$schema).toBe('https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#');
    expect(template.contentVersion).toBe('1.0.0.0');
    expect(Object.keys(template)).toEqual(expect.arrayContaining(['$schema', 'contentVersion', 'parameters', 'resources']));
    expect(template.parameters.policyRule?.type).toBe('object');
    expect(template.resources.map((resource) => resource.type)).toEqual([
      'Microsoft.Authorization/policyDefinitions', 'Microsoft.Authorization/policyAssignments', 'Microsoft.Authorization/roleAssignments',
    ]);
  });

  it('assigns a built-in flow-log definition with its exact parameter names, interval "10"', () => {
    const assignment = template.resources.find((resource) => resource.type === 'Microsoft.Authorization/policyAssignments') as { location: string; identity: unknown; properties: { policyDefinitionId: string; parameters: Record<string, { value: string }> } };
    expect(FLOW_LOG_POLICY_DEFINITIONS).toContain(assignment.properties.policyDefinitionId);
    expect(assignment.location).toBe('northeurope');
    expect(assignment.identity).toEqual({ type: 'SystemAssigned' });
    for (const name of Object.keys(assignment.properties.parameters)) expect(FLOW_LOG_POLICY_PARAMETERS).toContain(name);
    expect(assignment.properties.parameters.timeInterval).toEqual({ value: '10' });
    expect(assignment.properties.parameters.vnetRegion).toEqual({ value: 'northeurope' });
  });

  it('has the custom copy with the interval default 10 and the built-in parameter names', () => {
    const definition = template.resources.find((resource) => resource.type === 'Microsoft.Authorization/policyDefinitions') as { properties: { parameters: Record<string, { defaultValue?: string; allowedValues?: string[] }>; policyRule: string; mode: string } };
    expect(Object.keys(definition.properties.parameters).sort()).toEqual([...FLOW_LOG_POLICY_PARAMETERS].sort());
    expect(definition.properties.parameters.timeInterval).toMatchObject({ defaultValue: '10', allowedValues: ['10', '60'] });
    expect(definition.properties.parameters.retentionDays?.defaultValue).toBe('30');
    expect(definition.properties.policyRule).toBe("[parameters('policyRule')]");
    expect(definition.properties.mode).toBe('Indexed');
  });

  it('gives the remediation identity Contributor on the subscription', () => {
    const role = template.resources.find((resource) => resource.type === 'Microsoft.Authorization/roleAssignments') as { properties: Record<string, string>; dependsOn: string[] };
    expect(role.properties.roleDefinitionId).toBe("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]");
    expect(role.properties.principalId).toMatch(/^\[reference\(subscriptionResourceId\('Microsoft\.Authorization\/policyAssignments', 'netproof-vnet-flowlogs-northeurope'\), '2022-06-01', 'full'\)\.identity\.principalId\]$/u);
    expect(role.dependsOn).toHaveLength(1);
  });

  it('references only resources that exist in the scenario', () => {
    const referenced = strings(template).filter((value) => /^\/subscriptions\/[^/]+\/resourceGroups\//iu.test(value));
    expect(referenced.length).toBeGreaterThanOrEqual(3);
    for (const id of referenced) expect(existing.has(id.toLowerCase()), id).toBe(true);
  });

  it('leaves no data ARM would evaluate: every expression is one we wrote', () => {
    const expressions = strings(template).filter((value) => value.startsWith('[') && !value.startsWith('[['));
    for (const expression of expressions) expect(expression).toMatch(/^\[(parameters|subscriptionResourceId|guid|reference)\(/u);
    expect(armLiteral({ a: ['[not an expression]', 'plain'] })).toEqual({ a: ['[[not an expression]', 'plain'] });
  });
});

describe('the az commands', () => {
  it('quote a value so the shell gives it back unchanged', () => {
    const values = ["it's", 'two words', '$(rm -rf /)', '`id`', '"double"', "'", '', 'a\nb', '; echo hi', '\\', '*', '$HOME'];
    const output = execFileSync('sh', ['-c', `printf '%s\\n' ${values.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(output).toBe(values.map((value) => `${value}\n`).join(''));
  });

  it('pass every value of a plan with quotes and spaces through the shell whole', () => {
    const hostile: PlanAssignment = {
      region: "west europe's", policyDefinitionId: FLOW_LOG_POLICY_DEFINITIONS[0], name: "flow logs 'weu'", scope: '/subscriptions/0000 $(id)',
      parameters: { vnetRegion: "west europe's", storageId: '/subscriptions/x/resourceGroups/my "rg"/providers/Microsoft.Storage/storageAccounts/a b', networkWatcherName: '`id`', workspaceResourceId: '$HOME', workspaceRegion: 'a;b', timeInterval: '10', retentionDays: '30' },
      identity: { type: 'SystemAssigned', location: "west europe's" },
      roleAssignments: [{ roleDefinitionId: 'r', scope: '/subscriptions/0000 $(id)', reason: 'x' }, { roleDefinitionId: 'r', scope: "/other 'scope'", reason: 'y' }],
      vnets: ['v'], notes: [],
    };
    const lines = azCommands([hostile], ['0000 $(id)']).filter((line) => !line.startsWith('#'));
    // Run each command with `az` replaced by a function that prints its arguments, one per line.
    const script = ['az() { printf "%s\\n" "$@"; }', ...lines.map((line) => line.replace(/ > '[^']+'$/u, ''))].join('\n');
    const output = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    const argumentsSeen = output.split('\n');
    const create = lines.find((line) => line.startsWith('az policy assignment create')) ?? '';
    expect(create).not.toBe('');
    for (const value of [hostile.name, hostile.scope, `VNet flow logs with Traffic Analytics (10 minutes) in ${hostile.region}`]) expect(argumentsSeen).toContain(value);
    const parameters = argumentsSeen[argumentsSeen.indexOf('--params', argumentsSeen.indexOf(hostile.name)) + 1] ?? '';
    expect(JSON.parse(parameters)).toEqual(Object.fromEntries(Object.entries(hostile.parameters).map(([name, value]) => [name, { value }])));
    expect(argumentsSeen).toContain("/other 'scope'");
  });

  it('create the custom copy, the assignment with its identity and role, and a remediation task', () => {
    const commands = report.plan.commands.filter((line) => !line.startsWith('#'));
    expect(commands.map((line) => line.split(' --')[0])).toEqual([
      "az policy definition show", 'az policy definition create', 'az policy assignment create', 'az policy remediation create',
    ]);
    expect(commands[2]).toContain("--policy '/providers/Microsoft.Authorization/policyDefinitions/3e9965dc-cc13-47ca-8259-a4252fd0cf7b'");
    expect(commands[2]).toContain('--mi-system-assigned');
    expect(commands[2]).toContain("--role 'b24988ac-6180-42a0-ab88-20f7382dd24c'");
    expect(commands[1]).toContain('"timeInterval":{"type":"String","metadata":');
    expect(commands[1]).toMatch(/"timeInterval":\{[^}]*\}[^}]*"defaultValue":"10"/u);
  });
});

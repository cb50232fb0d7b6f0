/**
 * The plan as a subscription-level ARM deployment template (pure): the custom copy of the
 * flow-log definition with `timeInterval` defaulting to "10", one policy assignment per region
 * with a system-assigned identity, and the identity's role assignments. Every literal string
 * that starts with `[` is escaped as `[[` so ARM never evaluates data as an expression.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-subscription
 */
import { FLOW_LOG_POLICY_DEPLOY, type PlanAssignment, type PolicyDefinition } from '../domain/coverage.js';

/** The schema of a subscription-level deployment template. */
export const SUBSCRIPTION_TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';
/** The custom copy's name, shared with the commands. */
export const CUSTOM_DEFINITION = 'netproof-vnet-flowlogs-ta-10';

/** Escapes a JSON value for a template: strings starting with `[` become `[[` (ARM's literal bracket). */
export function armLiteral(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('[') ? `[${value}` : value;
  if (Array.isArray(value)) return value.map(armLiteral);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, armLiteral(item)]));
  return value;
}

/**
 * Parameter definitions of the custom copy: the built-ins' names and types (AZURE.md section 10),
 * with `timeInterval` defaulting to "10". When the estate returned the built-in itself, its own
 * definitions are used with only that default changed.
 */
export function customParameters(builtIn: PolicyDefinition | null): Record<string, Record<string, unknown>> {
  if (builtIn && Object.keys(builtIn.parameters).length > 0) {
    return { ...builtIn.parameters, timeInterval: { ...builtIn.parameters.timeInterval, defaultValue: '10' } };
  }
  const text = (displayName: string, description: string, extra: Record<string, unknown> = {}) => ({ type: 'String', metadata: { displayName, description, ...extra } });
  return {
    effect: { ...text('Effect', 'Enable or disable the execution of the policy'), allowedValues: ['DeployIfNotExists', 'Disabled'], defaultValue: 'DeployIfNotExists' },
    vnetRegion: text('Virtual Network Region', 'Configures for virtual network in the selected region only.', { strongType: 'location' }),
    storageId: text('Storage Account', 'Resource id of a storage account in the same region as the VNets.', { strongType: 'Microsoft.Storage/storageAccounts', assignPermissions: true }),
    timeInterval: { ...text('Traffic analytics processing interval in minutes', 'Traffic analytics processes blobs at the selected frequency.'), allowedValues: ['10', '60'], defaultValue: '10' },
    workspaceResourceId: text('Workspace Resource ID', 'Log Analytics workspace resource id', { strongType: 'Microsoft.OperationalInsights/workspaces', assignPermissions: true }),
    workspaceRegion: text('Workspace Region', 'Log Analytics workspace region', { strongType: 'location' }),
    workspaceId: { ...text('Log Analytics Workspace', 'Log Analytics workspace GUID - deprecated', { deprecated: true }), defaultValue: '00000000-0000-0000-0000-000000000000' },
    networkWatcherRG: { ...text('Network Watchers RG', 'The resource group of the Network Watchers, where the flow logs are created.', { strongType: 'existingResourceGroups' }), defaultValue: 'NetworkWatcherRG' },
    networkWatcherName: text('Network Watcher', 'Resource id of the Network Watcher of the VNets\' region.', { strongType: 'Microsoft.Network/networkWatchers' }),
    retentionDays: { ...text('Number of days to retain flowlogs', 'Days of retention in the storage account; 0 keeps forever.'), defaultValue: '30' },
  };
}

const assignmentId = (name: string) => `[subscriptionResourceId('Microsoft.Authorization/policyAssignments', '${name.replace(/'/gu, "''")}')]`;

/** The template of one subscription's assignments. */
export function deploymentTemplate(assignments: readonly PlanAssignment[], builtIn: PolicyDefinition | null): Record<string, unknown> {
  const resources: unknown[] = [{
    type: 'Microsoft.Authorization/policyDefinitions', apiVersion: '2021-06-01', name: CUSTOM_DEFINITION,
    properties: {
      displayName: 'Configure virtual network to enable Flow Log and Traffic Analytics (Traffic Analytics every 10 minutes by default)',
      description: armLiteral(`A copy of ${FLOW_LOG_POLICY_DEPLOY} whose timeInterval defaults to "10": assigning the built-in with timeInterval set can hang in the portal.`),
      policyType: 'Custom', mode: builtIn?.mode ?? 'Indexed',
      metadata: { category: 'Network', basedOn: FLOW_LOG_POLICY_DEPLOY },
      parameters: armLiteral(customParameters(builtIn)),
      policyRule: "[parameters('policyRule')]",
    },
  }];
  for (const assignment of assignments) {
    resources.push({
      type: 'Microsoft.Authorization/policyAssignments', apiVersion: '2022-06-01', name: armLiteral(assignment.name), location: armLiteral(assignment.region),
      identity: { type: 'SystemAssigned' },
      properties: {
        displayName: armLiteral(`VNet flow logs with Traffic Analytics (10 minutes) in ${assignment.region}`),
        policyDefinitionId: assignment.policyDefinitionId,
        parameters: armLiteral(Object.fromEntries(Object.entries(assignment.parameters).map(([name, value]) => [name, { value }]))),
        enforcementMode: 'Default',
      },
    });
    for (const role of assignment.roleAssignments.filter((candidate) => candidate.scope.toLowerCase() === assignment.scope.toLowerCase())) {
      const roleId = role.roleDefinitionId.split('/').pop() ?? '';
      resources.push({
        type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01',
        name: `[guid(subscription().id, '${assignment.name.replace(/'/gu, "''")}', '${roleId}')]`,
        dependsOn: [assignmentId(assignment.name)],
        properties: {
          roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${roleId}')]`,
          principalId: `[reference(${assignmentId(assignment.name).slice(1, -1)}, '2022-06-01', 'full').identity.principalId]`,
          principalType: 'ServicePrincipal',
          description: armLiteral(`Remediation identity of ${assignment.name}: ${role.reason}`),
        },
      });
    }
  }
  return {
    $schema: SUBSCRIPTION_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      policyRule: {
        type: 'object',
        metadata: { description: `The policyRule of ${FLOW_LOG_POLICY_DEPLOY}: az policy definition show --name 3e9965dc-cc13-47ca-8259-a4252fd0cf7b --query policyRule --output json` },
        ...(builtIn?.policyRule ? { defaultValue: armLiteral(builtIn.policyRule) } : {}),
      },
    },
    resources,
    outputs: {
      customDefinitionId: { type: 'string', value: `[subscriptionResourceId('Microsoft.Authorization/policyDefinitions', '${CUSTOM_DEFINITION}')]` },
      ...Object.fromEntries(assignments.map((assignment, index) => [`assignment${index + 1}Id`, { type: 'string', value: assignmentId(assignment.name) }])),
    },
  };
}

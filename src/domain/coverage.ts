/**
 * Flow-log coverage: the report of `netproof coverage --json` (CONTRACTS.md section 6) and the
 * facts it is computed from beyond the Topology (storage accounts, workspaces, policy assignments
 * and definitions, the firewalls' diagnostic settings). Fields marked "additive" are ours; the
 * others are the contract and keep their meaning.
 */
import { z } from 'zod';
import { DiagnosticSettingSchema } from './topology.js';

/** The built-in "Configure virtual network to enable Flow Log and Traffic Analytics" (does not overwrite VNets that have flow logs with Traffic Analytics). */
export const FLOW_LOG_POLICY_DEPLOY = '/providers/Microsoft.Authorization/policyDefinitions/3e9965dc-cc13-47ca-8259-a4252fd0cf7b';
/** The built-in "Configure virtual networks to use specific workspace, storage account and retention interval for Flow logs and Traffic Analytics" (overwrites settings that differ). */
export const FLOW_LOG_POLICY_UPDATE = '/providers/Microsoft.Authorization/policyDefinitions/052c180e-287d-44c3-86ef-01aeae2d9774';
/** The two built-in flow-log definitions. */
export const FLOW_LOG_POLICY_DEFINITIONS = [FLOW_LOG_POLICY_DEPLOY, FLOW_LOG_POLICY_UPDATE] as const;
/** Contributor: the role in the built-ins' `roleDefinitionIds`, which the remediation identity needs. */
export const CONTRIBUTOR_ROLE_ID = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
/** The parameters of the built-in flow-log definitions, named exactly as they name them. */
export const FLOW_LOG_POLICY_PARAMETERS = [
  'effect', 'vnetRegion', 'storageId', 'timeInterval', 'workspaceResourceId', 'workspaceRegion', 'workspaceId', 'networkWatcherRG', 'networkWatcherName', 'retentionDays',
] as const;

/**
 * How a VNet's flows are logged.
 * - `vnet`: an enabled VNet flow log targets the VNet, one of its subnets or one of its NICs.
 * - `nsg-only`: no VNet flow log, but an enabled NSG flow log (retiring 30 September 2027) on an NSG of its subnets or NICs.
 * - `none`: nothing logs it.
 * - `disabled`: a VNet flow log resource targets it and is disabled (and no NSG flow log covers it).
 */
export const FlowLogStateSchema = z.enum(['vnet', 'nsg-only', 'none', 'disabled']);
export type FlowLogState = z.infer<typeof FlowLogStateSchema>;

/** One VNet's coverage. */
export const VnetCoverageSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Lower case, no spaces (`westeurope`). */
  region: z.string(),
  flowLogs: FlowLogStateSchema,
  /** Traffic Analytics of the flow log that covers the VNet (the NSG flow logs' for `nsg-only`); null when none covers it or it is disabled. */
  trafficAnalytics: z.object({ enabled: z.boolean(), intervalMinutes: z.number().int(), workspaceResourceId: z.string().nullable() }).nullable(),
  /** Whether the covering (or disabled) flow log's storage account is in the VNet's region; null without one, or when the account could not be read. */
  storageSameRegion: z.boolean().nullable(),
  /** The policy assignment that deploys VNet flow logs in this VNet's region and scope, else null. */
  coveredByPolicy: z.string().nullable(),
  /** Additive: the VNet's subscription. */
  subscriptionId: z.string(),
  /** Additive: the flow logs behind `flowLogs` (VNet flow logs, or the NSG flow logs for `nsg-only`, or the disabled one). */
  flowLogIds: z.array(z.string()),
  /** Additive: the storage account of those flow logs. */
  storageId: z.string().nullable(),
  /** Additive: their retention in days (0 keeps forever), null when retention is off or unknown. */
  retentionDays: z.number().int().nullable(),
});
export type VnetCoverage = z.infer<typeof VnetCoverageSchema>;

/** One Azure Firewall's logging. */
export const FirewallCoverageSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Its AZFW* categories reach a workspace in resource-specific tables (`logAnalyticsDestinationType: Dedicated`); null when its diagnostic settings could not be read. */
  resourceSpecificLogs: z.boolean().nullable(),
  /** TCP connection logging is on and the AZFWFlowTrace category is sent to a workspace; null when the diagnostic settings could not be read. */
  flowTrace: z.boolean().nullable(),
  /** Additive. */
  region: z.string(),
  /** Additive: workspaces its diagnostic settings send logs to. */
  workspaceResourceIds: z.array(z.string()),
  /** Additive: `Network.AdditionalLogs.EnableTcpConnectionLogging` on the firewall. */
  tcpConnectionLogging: z.boolean(),
});
export type FirewallCoverage = z.infer<typeof FirewallCoverageSchema>;

/** Parameters of a planned assignment, named as the built-in definitions name them. */
export const PlanParametersSchema = z.object({
  vnetRegion: z.string(),
  storageId: z.string(),
  networkWatcherName: z.string(),
  workspaceResourceId: z.string(),
  workspaceRegion: z.string(),
  timeInterval: z.enum(['10', '60']),
  retentionDays: z.string(),
  /** Only when the region's Network Watcher is not in the default `NetworkWatcherRG`. */
  networkWatcherRG: z.string().optional(),
});
export type PlanParameters = z.infer<typeof PlanParametersSchema>;

/** A role assignment the remediation identity needs. */
export const PlanRoleAssignmentSchema = z.object({ roleDefinitionId: z.string(), scope: z.string(), reason: z.string() });
export type PlanRoleAssignment = z.infer<typeof PlanRoleAssignmentSchema>;

/** One policy assignment the plan proposes. */
export const PlanAssignmentSchema = z.object({
  region: z.string(),
  policyDefinitionId: z.string(),
  parameters: PlanParametersSchema,
  /** Additive: the assignment's name, scope (a subscription) and id once created. */
  name: z.string(),
  scope: z.string(),
  /** Additive: the remediation identity (system-assigned, in the region) and its role assignments. */
  identity: z.object({ type: z.literal('SystemAssigned'), location: z.string() }),
  roleAssignments: z.array(PlanRoleAssignmentSchema),
  /** Additive: VNets of the region the assignment will remediate, and notes for the reviewer. */
  vnets: z.array(z.string()),
  notes: z.array(z.string()),
});
export type PlanAssignment = z.infer<typeof PlanAssignmentSchema>;

/** The plan: assignments for regions with gaps, regions it cannot close yet, and (additive) regions already handled. */
export const CoveragePlanSchema = z.object({
  assignments: z.array(PlanAssignmentSchema),
  missing: z.array(z.object({ region: z.string(), reason: z.string() })),
  /** Additive: regions that get no new assignment because one already deploys flow logs there. */
  noNewAssignment: z.array(z.object({ region: z.string(), coveredBy: z.string() })),
  /** Additive: the custom copy of the definition with the `timeInterval` default set to "10". */
  customDefinition: z.object({
    name: z.string(),
    basedOn: z.string(),
    /** Whether the estate returned the built-in's policyRule (else the template asks for it). */
    policyRuleKnown: z.boolean(),
  }).nullable(),
  /** Additive: one subscription-level deployment template per subscription with assignments. */
  templates: z.array(z.object({ subscriptionId: z.string(), template: z.record(z.string(), z.unknown()) })),
  /** Additive: the same plan as `az` commands, one per line, every value shell-quoted. */
  commands: z.array(z.string()),
});
export type CoveragePlan = z.infer<typeof CoveragePlanSchema>;

/** An existing assignment of a flow-log definition (built-in or copy), with its effective parameters. */
export const ExistingAssignmentSchema = z.object({
  id: z.string(), name: z.string(), scope: z.string(), policyDefinitionId: z.string(),
  /** `builtin` or `copy` (a custom definition that deploys VNet flow logs with the same parameters). */
  definitionKind: z.enum(['builtin', 'copy']),
  parameters: z.record(z.string(), z.string()),
  /** False when its effect is Disabled or enforcement is DoNotEnforce: it remediates nothing. */
  enforced: z.boolean(),
});
export type ExistingAssignment = z.infer<typeof ExistingAssignmentSchema>;

/** Per region counts (additive). */
export const RegionCoverageSchema = z.object({
  region: z.string(),
  vnets: z.number().int(),
  vnet: z.number().int(), nsgOnly: z.number().int(), none: z.number().int(), disabled: z.number().int(),
  /** VNets whose Traffic Analytics is on. */
  trafficAnalytics: z.number().int(),
  coveredByPolicy: z.string().nullable(),
});
export type RegionCoverage = z.infer<typeof RegionCoverageSchema>;

/** `netproof coverage --json`. */
export const CoverageReportSchema = z.object({
  vnets: z.array(VnetCoverageSchema),
  firewalls: z.array(FirewallCoverageSchema),
  plan: CoveragePlanSchema,
  /** Additive: counts per region, the existing flow-log assignments, and what could not be read. */
  regions: z.array(RegionCoverageSchema),
  policyAssignments: z.array(ExistingAssignmentSchema),
  warnings: z.array(z.string()),
});
export type CoverageReport = z.infer<typeof CoverageReportSchema>;

/* ------------------------------------------------------------- facts */

/** A storage account (location and tier decide whether flow logs may use it). */
export const StorageAccountSchema = z.object({ id: z.string(), name: z.string(), location: z.string(), skuTier: z.string().nullable(), kind: z.string().nullable() });
export type StorageAccount = z.infer<typeof StorageAccountSchema>;

/** A Log Analytics workspace. */
export const WorkspaceSchema = z.object({ id: z.string(), location: z.string() });
export type Workspace = z.infer<typeof WorkspaceSchema>;

/** A policy assignment as Resource Graph's `policyresources` returns it, normalised. */
export const PolicyAssignmentSchema = z.object({
  id: z.string(), name: z.string(), location: z.string().nullable(),
  scope: z.string(), notScopes: z.array(z.string()),
  policyDefinitionId: z.string(),
  /** Parameter values, as given (`{ name: value }`). */
  parameters: z.record(z.string(), z.unknown()),
  enforcementMode: z.string(),
  identityPrincipalId: z.string().nullable(),
});
export type PolicyAssignment = z.infer<typeof PolicyAssignmentSchema>;

/** A policy definition (custom ones, and built-ins when the estate returns them), normalised. */
export const PolicyDefinitionSchema = z.object({
  id: z.string(), name: z.string(),
  /** BuiltIn | Custom | Static. */
  policyType: z.string(),
  mode: z.string().nullable(),
  /** Parameter definitions (`{ name: { type, defaultValue, allowedValues, metadata } }`). */
  parameters: z.record(z.string(), z.record(z.string(), z.unknown())),
  policyRule: z.record(z.string(), z.unknown()).nullable(),
});
export type PolicyDefinition = z.infer<typeof PolicyDefinitionSchema>;

/** What coverage reads beyond the Topology. */
export const CoverageFactsSchema = z.object({
  storageAccounts: z.array(StorageAccountSchema),
  workspaces: z.array(WorkspaceSchema),
  policyAssignments: z.array(PolicyAssignmentSchema),
  policyDefinitions: z.array(PolicyDefinitionSchema),
  /** Diagnostic settings by firewall id (lower case); a firewall missing here could not be read. */
  firewallDiagnosticSettings: z.record(z.string(), z.array(DiagnosticSettingSchema)),
  /** Firewall ids (lower case) with `Network.AdditionalLogs.EnableTcpConnectionLogging` on. */
  tcpConnectionLogging: z.array(z.string()),
  /** False when the policy resources could not be read (coveredByPolicy then says null for want of data). */
  policyAssignmentsRead: z.boolean(),
  /** False when the storage accounts could not be read. */
  storageAccountsRead: z.boolean(),
  /** What could not be read (policy resources, storage accounts, a firewall's settings). */
  warnings: z.array(z.string()),
});
export type CoverageFacts = z.infer<typeof CoverageFactsSchema>;

/** The region as the report writes it: lower case, no spaces. */
export function normaliseRegion(location: string): string {
  return location.toLowerCase().replace(/\s+/gu, '');
}

/**
 * The "next step" sentence a verdict gives when flow logs do not cover a VNet: names the VNets
 * and points at the coverage plan of their regions (`netproof coverage`, or "flow log coverage" in Teams).
 */
export function coverageNextStep(vnets: ReadonlyArray<{ name: string; region: string }>, state: 'none' | 'nsg-only' | 'disabled' = 'none'): string {
  const names = [...new Set(vnets.map((vnet) => vnet.name))].join(', ');
  const regions = [...new Set(vnets.map((vnet) => normaliseRegion(vnet.region)))].sort().join(', ');
  const what = state === 'nsg-only' ? `Replace the NSG flow logs (retiring 30 September 2027) with VNet flow logs on ${names}`
    : state === 'disabled' ? `Enable the disabled VNet flow log of ${names}` : `Enable VNet flow logs with Traffic Analytics on ${names}`;
  return `${what}: the coverage plan for ${regions} (netproof coverage, or "flow log coverage" in Teams) gives the policy assignment that does it for the whole region.`;
}

/**
 * KQL for Azure Firewall decisions: one query per resource-specific table (so a table
 * that does not exist becomes a gap for that table alone), and the legacy
 * AzureDiagnostics form whose `msg_s` is parsed in TypeScript (../firewall-message.ts).
 */
import { kqlString } from './literals.js';
import type { Instant } from './validate.js';
import {
  type FlowFilter, addressPredicate, endpointsPredicate, firewallProtocol, namesPredicate, timePredicate, whereLines,
} from './flow-filter.js';

/** A query for one table. */
export interface TableQuery {
  table: string;
  /** The table's Azure Monitor reference page. */
  documentation: string;
  query: string;
  /** The time range sent as the API's `timespan` (it must cover every time filter of the query). */
  timespan: { start: Instant; end: Instant };
}

/** The resource-specific Azure Firewall tables netproof reads. */
export const FIREWALL_TABLES = [
  'AZFWNetworkRule', 'AZFWApplicationRule', 'AZFWNatRule', 'AZFWThreatIntel', 'AZFWIdpsSignature', 'AZFWFlowTrace', 'AZFWDnsQuery',
] as const;
/** One of {@link FIREWALL_TABLES}. */
export type FirewallTable = (typeof FIREWALL_TABLES)[number];

const reference = (page: string): string => `https://learn.microsoft.com/azure/azure-monitor/reference/tables/${page}`;

interface TableShape {
  documentation: string;
  columns: string[];
  /** How the flow filter applies to this table; null when the filter gives it nothing to match on. */
  predicates(filter: FlowFilter): (string | null)[] | null;
  order: string;
}

const common = ['TimeGenerated', '_ResourceId'];

const shapes: Record<FirewallTable, TableShape> = {
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnetworkrule
  AZFWNetworkRule: {
    documentation: reference('azfwnetworkrule'),
    columns: [...common, 'Protocol', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'Action', 'ActionReason', 'Policy', 'RuleCollectionGroup', 'RuleCollection', 'Rule'],
    predicates: (filter) => [
      endpointsPredicate(filter, 'SourceIp', 'DestinationIp', false, { destination: 'DestinationPort', source: 'SourcePort' }),
      protocolPredicate(filter),
    ],
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc',
  },
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwapplicationrule (no DestinationIp column)
  AZFWApplicationRule: {
    documentation: reference('azfwapplicationrule'),
    columns: [...common, 'Protocol', 'SourceIp', 'SourcePort', 'DestinationPort', 'Fqdn', 'TargetUrl', 'Action', 'ActionReason', 'Policy', 'RuleCollectionGroup', 'RuleCollection', 'Rule', 'WebCategory', 'IsTlsInspected'],
    predicates: (filter) => {
      const names = namesPredicate('Fqdn', filter.destinationNames);
      // Without a destination name, only the source identifies the flow here; an address is not logged.
      if (filter.source === null && names === null) return null;
      return [
        filter.source ? addressPredicate('SourceIp', filter.source) : null,
        names,
        filter.port !== null ? `DestinationPort == ${filter.port}` : null,
      ];
    },
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc',
  },
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnatrule (no Action column)
  AZFWNatRule: {
    documentation: reference('azfwnatrule'),
    columns: [...common, 'Protocol', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'TranslatedIp', 'TranslatedPort', 'Policy', 'RuleCollectionGroup', 'RuleCollection', 'Rule'],
    predicates: (filter) => [
      filter.source ? addressPredicate('SourceIp', filter.source) : null,
      // The question may name the public (pre-DNAT) or the private (translated) destination.
      filter.destination ? `(${addressPredicate('DestinationIp', filter.destination)} or ${addressPredicate('TranslatedIp', filter.destination)})` : null,
      filter.port !== null ? `(DestinationPort == ${filter.port} or TranslatedPort == ${filter.port})` : null,
      protocolPredicate(filter),
    ],
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc',
  },
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwthreatintel
  AZFWThreatIntel: {
    documentation: reference('azfwthreatintel'),
    columns: [...common, 'Protocol', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'Fqdn', 'TargetUrl', 'Action', 'ThreatDescription'],
    predicates: (filter) => [
      endpointsPredicate(filter, 'SourceIp', 'DestinationIp', false, { destination: 'DestinationPort', source: 'SourcePort' }),
    ],
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc',
  },
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwidpssignature (signatures fire on replies too)
  AZFWIdpsSignature: {
    documentation: reference('azfwidpssignature'),
    columns: [...common, 'Protocol', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'Action', 'SignatureId', 'Category', 'Description', 'Severity'],
    predicates: (filter) => [
      endpointsPredicate(filter, 'SourceIp', 'DestinationIp', true, { destination: 'DestinationPort', source: 'SourcePort' }),
    ],
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc',
  },
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwflowtrace (SYN-ACK, FIN, RST: both directions)
  AZFWFlowTrace: {
    documentation: reference('azfwflowtrace'),
    columns: [...common, 'Protocol', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'Flag', 'Action', 'ActionReason'],
    predicates: (filter) => [
      endpointsPredicate(filter, 'SourceIp', 'DestinationIp', true, { destination: 'DestinationPort', source: 'SourcePort' }),
    ],
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc, Flag asc',
  },
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwdnsquery (the firewall as DNS proxy)
  AZFWDnsQuery: {
    documentation: reference('azfwdnsquery'),
    columns: [...common, 'SourceIp', 'SourcePort', 'QueryId', 'QueryName', 'QueryType', 'Protocol', 'ResponseCode', 'ErrorMessage'],
    predicates: (filter) => {
      // QueryName is logged fully qualified, with the trailing dot.
      const names = namesPredicate('QueryName', filter.destinationNames.flatMap((name) => [name, `${name}.`]));
      if (filter.source === null && names === null) return null;
      return [filter.source ? addressPredicate('SourceIp', filter.source) : null, names];
    },
    order: 'TimeGenerated asc, SourceIp asc, SourcePort asc, QueryId asc',
  },
};

function protocolPredicate(filter: FlowFilter): string | null {
  const protocol = firewallProtocol(filter.protocol);
  return protocol === null ? null : `Protocol =~ ${kqlString(protocol)}`;
}

function resourcePredicate(column: string, filter: FlowFilter): string | null {
  return filter.resourceId === null ? null : `${column} =~ ${kqlString(filter.resourceId)}`;
}

/** Tables that log a destination name, so a name alone can select the flow's rows. */
const NAMED_TABLES: ReadonlySet<FirewallTable> = new Set(['AZFWApplicationRule', 'AZFWDnsQuery']);

/**
 * The query of one firewall table for a flow, or null when the flow gives this table
 * nothing to match on (no address for an address-keyed table; neither a source nor a name
 * for an application rule or DNS query).
 * It takes `maxRows + 1` rows so the caller can tell a truncated answer.
 */
export function firewallTableQuery(table: FirewallTable, filter: FlowFilter): TableQuery | null {
  const shape = shapes[table];
  // Tables matched on addresses need one: without it the query would hand back the whole table.
  if (!NAMED_TABLES.has(table) && filter.source === null && filter.destination === null) return null;
  const predicates = shape.predicates(filter);
  if (predicates === null) return null;
  const lines = [
    table,
    ...whereLines([timePredicate('TimeGenerated', filter.window), resourcePredicate('_ResourceId', filter), ...predicates]),
    `| extend IngestionTime = ingestion_time()`,
    `| project ${[...shape.columns, 'IngestionTime'].join(', ')}`,
    `| order by ${shape.order}`,
    `| take ${filter.maxRows + 1}`,
  ];
  return { table, documentation: shape.documentation, query: lines.join('\n'), timespan: filter.window };
}

/** The legacy AzureDiagnostics categories of Azure Firewall. */
export const LEGACY_FIREWALL_CATEGORIES = ['AzureFirewallNetworkRule', 'AzureFirewallApplicationRule', 'AzureFirewallDnsProxy'] as const;

/**
 * Legacy diagnostics (AzureDiagnostics, ResourceType AZUREFIREWALLS): the event is free text
 * in `msg_s`. KQL narrows with `has` on the validated addresses (a whole-term match); the
 * TypeScript parser then compares addresses exactly. Null when there is no address or name to
 * narrow on. https://learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics
 */
export function legacyFirewallQuery(filter: FlowFilter): TableQuery | null {
  const terms = [filter.source, filter.destination]
    .filter((match) => match !== null && 'ip' in match)
    .map((match) => (match as { ip: string }).ip);
  // Nothing to narrow on (prefixes only, or no endpoint at all): the whole category would come back.
  if (terms.length === 0 && filter.destinationNames.length === 0) return null;
  const lines = [
    'AzureDiagnostics',
    ...whereLines([
      timePredicate('TimeGenerated', filter.window),
      `ResourceType == "AZUREFIREWALLS"`,
      `Category in ${'("' + LEGACY_FIREWALL_CATEGORIES.join('", "') + '")'}`,
      resourcePredicate('ResourceId', filter),
      ...terms.map((term) => `msg_s has ${kqlString(term)}`),
      ...filter.destinationNames.length > 0 && terms.length === 0 ? [`msg_s has_any (${filter.destinationNames.map(kqlString).join(', ')})`] : [],
    ]),
    `| extend IngestionTime = ingestion_time()`,
    `| project TimeGenerated, ResourceId, Category, OperationName, msg_s, IngestionTime`,
    `| order by TimeGenerated asc, msg_s asc`,
    // Rows are filtered again after parsing, so take more than the cap.
    `| take ${Math.min(filter.maxRows * 4, 10_000) + 1}`,
  ];
  return { table: 'AzureDiagnostics', documentation: 'https://learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics', query: lines.join('\n'), timespan: filter.window };
}

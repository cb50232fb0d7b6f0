/**
 * Background rows for the tables the traffic walk does not produce: Azure
 * Firewall DNS proxy queries, VPN gateway diagnostics (AzureDiagnostics) and
 * Key Vault audit events.
 */
import { Ids, lowerId } from './ids.js';
import type { EstateSpec, KeyVaultSpec } from './model.js';
import { guidFor, type Random } from './random.js';
import { isoMs, type TrafficLog } from './traffic.js';

/** DNS names a VM resolves through the firewall's DNS proxy. */
export interface DnsTemplate {
  sourceIp: string;
  names: { name: string; type?: 'A' | 'AAAA' | 'SRV'; responseCode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' }[];
  perHour: number;
  /** Start of the queries (ISO), default the whole history. */
  from?: string;
  /** End of the queries (ISO), default now. */
  to?: string;
}

/** Adds AZFWDnsQuery rows. */
export function dnsQueries(log: TrafficLog, random: Random, templates: DnsTemplate[], startMs: number, endMs: number): void {
  for (const template of templates) {
    const from = template.from ? Date.parse(template.from) : startMs;
    const to = template.to ? Date.parse(template.to) : endMs;
    const count = Math.round((template.perHour * (to - from)) / 3_600_000);
    const times = Array.from({ length: count }, () => from + random.next() * (to - from)).sort((a, b) => a - b);
    for (const time of times) {
      const query = random.pick(template.names);
      const code = query.responseCode ?? 'NOERROR';
      log.add('AZFWDnsQuery', log.firewallColumns('AZFWDnsQuery', {
        TimeGenerated: isoMs(time), SourceIp: template.sourceIp, SourcePort: random.int(49152, 65535), QueryId: random.int(1, 65535), QueryType: query.type ?? 'A', QueryClass: 'IN',
        QueryName: `${query.name}.`, Protocol: 'UDP', RequestSize: random.int(60, 100), DnssecOkBit: false, EDNS0BufferSize: 1232, ResponseCode: code,
        ResponseFlags: code === 'NOERROR' ? 'qr,rd,ra' : 'qr,aa,rd,ra', ResponseSize: code === 'NOERROR' ? random.int(120, 260) : random.int(100, 140), RequestDurationSecs: random.int(900, 42000) / 1_000_000,
        ErrorNumber: 0, ErrorMessage: '',
      }));
    }
  }
}

/** Adds the VPN gateway's AzureDiagnostics rows: Child SA rekeys through the history, plus any story events. */
export function gatewayDiagnostics(log: TrafficLog, estate: EstateSpec, random: Random, startMs: number, endMs: number, events: { time: string; category: string; operation: string; level: string; message: string }[] = []): void {
  const ids = new Ids(estate.organisation.subscriptionId);
  const gatewayId = ids.gateway(estate);
  const gateway = estate.gateway;
  const session = guidFor(`ike:${gatewayId}`).replace(/-/g, '').slice(0, 16);
  const rows: { time: number; category: string; operation: string; level: string; message: string }[] = events.map((event) => ({ ...event, time: Date.parse(event.time) }));
  const first = Math.max(startMs, Date.parse(gateway.connectedSince));
  for (let time = first + random.int(600, 3000) * 1000; time < endMs; time += random.int(3180, 3300) * 1000) {
    const spi = (): string => `0x${random.hex(8)}`;
    rows.push({ time, category: 'IKEDiagnosticLog', operation: 'IKELogEvent', level: 'Informational', message: `SESSION_ID :{${session}} Remote ${gateway.onPremGatewayIp}:4500: Local ${gateway.publicIp}:4500: [RECEIVED] CREATE_CHILD_SA request: rekey Child SA, peer proposes AES256/SHA256/PFS2048` });
    rows.push({ time: time + random.int(40, 250), category: 'IKEDiagnosticLog', operation: 'IKELogEvent', level: 'Informational', message: `SESSION_ID :{${session}} Remote ${gateway.onPremGatewayIp}:4500: Local ${gateway.publicIp}:4500: [SEND] CREATE_CHILD_SA response: Child SA rekeyed, new inbound SPI ${spi()}, outbound SPI ${spi()}` });
  }
  for (const row of rows.sort((a, b) => a.time - b.time)) {
    const full: Record<string, unknown> = {
      TenantId: estate.organisation.workspaceId, ResourceId: gatewayId.toUpperCase().replace(`/SUBSCRIPTIONS/${estate.organisation.subscriptionId.toUpperCase()}`, `/SUBSCRIPTIONS/${estate.organisation.subscriptionId.toUpperCase()}`),
      ResourceGroup: gateway.resourceGroup.toUpperCase(), SubscriptionId: estate.organisation.subscriptionId, ResourceProvider: 'MICROSOFT.NETWORK', Resource: gateway.name.toUpperCase(), ResourceType: 'VIRTUALNETWORKGATEWAYS',
      SourceSystem: 'Azure', Type: 'AzureDiagnostics', _ResourceId: lowerId(gatewayId), _SubscriptionId: estate.organisation.subscriptionId, _IsBillable: 'True',
      TimeGenerated: isoMs(row.time), Category: row.category, OperationName: row.operation, Message: row.message, Level: row.level, instance_s: 'GatewayTenantWorker_IN_0', remoteIP_s: gateway.onPremGatewayIp,
    };
    full._BilledSize = JSON.stringify(full).length;
    log.add('AzureDiagnostics', full);
  }
}

/** One Key Vault request as AZKVAuditLogs records it. */
export interface KeyVaultEvent {
  time: number;
  vault: KeyVaultSpec;
  operation: 'SecretGet' | 'SecretList' | 'VaultGet' | 'KeySign' | 'CertificateGet' | 'KeyUnwrap';
  callerIp: string;
  /** Object id and app id of the caller. */
  objectId: string;
  appId: string;
  /** What the vault answered. */
  result: 'ok' | 'firewall' | 'rbac';
  /** How the address was authorised (for `ok` and `rbac`). */
  addressAuthorizationType?: 'PrivateLink' | 'PublicIP' | 'TrustedService';
  subnetId?: string;
  secretName?: string;
  clientInfo: string;
}

/** Adds AZKVAuditLogs rows. */
export function keyVaultEvents(log: TrafficLog, estate: EstateSpec, random: Random, events: KeyVaultEvent[]): void {
  const ids = new Ids(estate.organisation.subscriptionId);
  for (const event of events.sort((a, b) => a.time - b.time)) {
    const vaultId = ids.resource(event.vault.resourceGroup, 'Microsoft.KeyVault', `vaults/${event.vault.name}`);
    const secret = event.secretName ?? 'app-connection-string';
    const uri = event.operation === 'VaultGet' ? `https://${event.vault.name}.vault.azure.net/?api-version=7.5` : `https://${event.vault.name}.vault.azure.net/secrets/${secret}/?api-version=7.5`;
    const denied = event.result !== 'ok';
    const firewall = event.result === 'firewall';
    const full: Record<string, unknown> = {
      TenantId: estate.organisation.workspaceId, TimeGenerated: isoMs(event.time), OperationName: event.operation, OperationVersion: '7.5',
      ResultType: denied ? 'Forbidden' : 'Success', ResultSignature: denied ? 'Forbidden' : 'OK',
      ResultDescription: firewall ? `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${event.callerIp} from unknown subnet\r\nVault: ${event.vault.name};location=${estate.organisation.location}` : event.result === 'rbac' ? `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${event.appId};oid=${event.objectId};iss=https://sts.windows.net/${estate.organisation.tenantId}/\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '${vaultId.toLowerCase()}/secrets/${secret}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${event.vault.name};location=${estate.organisation.location}\r\n` : '',
      HttpStatusCode: denied ? 403 : 200, CallerIpAddress: event.callerIp, ClientInfo: event.clientInfo, CorrelationId: guidFor(`kv:${event.time}:${event.callerIp}:${random.next()}`), DurationMs: random.int(3, 40), RequestUri: uri, Id: event.operation === 'VaultGet' ? `https://${event.vault.name}.vault.azure.net/` : `https://${event.vault.name}.vault.azure.net/secrets/${secret}`,
      Identity: { claim: { oid: event.objectId, appid: event.appId, xms_mirid: '', http_schemas_microsoft_com_identity_claims_identityprovider: `https://sts.windows.net/${estate.organisation.tenantId}/` } },
      IsAddressAuthorized: !firewall, AddressAuthorizationType: firewall ? '' : event.addressAuthorizationType ?? 'PrivateLink', SubnetId: event.subnetId ?? '',
      NetworkAcls: { bypass: 'AzureServices', defaultAction: event.vault.defaultAction, ipRules: event.vault.ipRules, virtualNetworkRules: [] }, Nsp: null, TrustedService: '', Tlsversion: 'TLS1_2',
      IsRbacAuthorized: firewall ? null : event.result === 'ok', IsAccessPolicyMatch: false, AppliedAssignmentId: event.result === 'ok' ? guidFor(`assignment:${event.objectId}`).replace(/-/g, '') : '', EnableRbacAuthorization: event.vault.enableRbacAuthorization,
      VaultProperties: null, SecretProperties: event.operation === 'SecretGet' && event.result === 'ok' ? { attributes: { enabled: true, exp: null } } : null, KeyProperties: null, CertificateProperties: null, Sku: { family: 'A', name: 'standard' },
      SourceSystem: 'Azure', Type: 'AZKVAuditLogs', _ResourceId: lowerId(vaultId), _SubscriptionId: estate.organisation.subscriptionId,
    };
    full._BilledSize = JSON.stringify(full).length;
    full._IsBillable = 'True';
    log.add('AZKVAuditLogs', full);
  }
}

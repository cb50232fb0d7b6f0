/**
 * dns-failure: the orders vault got a private endpoint this morning, but the
 * endpoint was created without a DNS zone group and the A record typed in by hand
 * is misspelt; the vault's name now follows its CNAME into the private zone and
 * ends in NXDOMAIN, so the orders API never connects.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { keyVaultEvents, type KeyVaultEvent } from '../logs.js';
import { guidFor } from '../random.js';
import { addApplicationRule, standardExtend } from './common.js';

/** The story. */
export function dnsFailure(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-12-13T21:55:27Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  estate.firewall.dnsServers = [];
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-privateendpoints', prefix: '10.42.3.0/24', routeTable: 'fab-data-spoke-rt', privateEndpointNetworkPolicies: 'Disabled' });
  const vault = { name: 'fab-orders-kv', resourceGroup: base.names.dataRg, publicNetworkAccess: 'Disabled' as const, defaultAction: 'Deny' as const, ipRules: [], enableRbacAuthorization: true, publicIp: '20.61.103.228' };
  estate.keyVaults.push(vault);
  const vaultId = ids.resource(vault.resourceGroup, 'Microsoft.KeyVault', `vaults/${vault.name}`);
  const fqdn = 'fab-orders-kv.vault.azure.net';
  estate.privateEndpoints.push({ name: 'pe-fab-orders-kv', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-privateendpoints', privateIp: '10.42.3.4', targetId: vaultId, groupId: 'vault', fqdn, zone: 'privatelink.vaultcore.azure.net' });
  estate.privateDnsZones.push({ name: 'privatelink.vaultcore.azure.net', resourceGroup: base.names.connectivityRg, links: [base.names.hub, base.names.app, base.names.data], records: [{ name: 'fab-ordres-kv', ip: '10.42.3.4' }] });
  addApplicationRule(base, 'internet-egress', 1000, { name: 'orders-key-vault', protocols: [{ protocolType: 'Https', port: 443 }], sources: [base.addresses.appTierPrefix], fqdns: [fqdn], description: 'Orders secrets (until the private endpoint)' });
  const cutover = '2026-12-14T07:31:00Z';
  const now = '2026-12-14T09:45:00Z';
  const startMs = Date.parse(now) - 12 * 3_600_000;
  const every = (step: number, offset: number, to: number): string[] => {
    const times: string[] = [];
    for (let index = 0; startMs + (offset + index * step) * 60_000 < to; index += 1) times.push(new Date(startMs + (offset + index * step) * 60_000 + (index * 6151) % 40_000).toISOString());
    return times;
  };
  const app01Times = every(15, 2, Date.parse(cutover));
  const app02Times = every(15, 9, Date.parse(cutover));
  const client = 'azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Microsoft Windows 10.0.20348)';
  const firewallPublicIp = estate.firewall.publicIp;
  const events: KeyVaultEvent[] = [
    ...[...app01Times.map((time) => ({ time, name: 'vm-app01' })), ...app02Times.map((time) => ({ time, name: 'vm-app02' }))].map(({ time, name }) => ({ time: Date.parse(time) + 240, vault, operation: 'SecretGet' as const, callerIp: firewallPublicIp, objectId: guidFor(`oid:${name}`), appId: guidFor(`app:${name}`), result: 'ok' as const, addressAuthorizationType: 'PublicIP' as const, secretName: 'orders-db-connection', clientInfo: client })),
    { time: Date.parse('2026-12-14T07:24:51Z'), vault, operation: 'VaultGet', callerIp: '198.51.100.62', objectId: guidFor('oid:fab-platform-admin'), appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', result: 'ok', addressAuthorizationType: 'PublicIP', clientInfo: 'AzureCLI/2.67.0' },
  ];
  const vaultEndpoint = { kind: 'public' as const, ip: vault.publicIp, azure: true, country: '' };
  const call = (name: string, at: string[]) => ({ source: { kind: 'vm' as const, name }, destination: vaultEndpoint, protocol: 'TCP' as const, port: 443, fqdn, perHour: 0, at, packets: [9, 14] as [number, number], responseBytes: [5_000, 7_500] as [number, number] });
  const extend = standardExtend(base, [
    { sourceIp: '10.41.2.4', perHour: 4, to: cutover, names: [{ name: fqdn }] },
    { sourceIp: '10.41.2.5', perHour: 4, to: cutover, names: [{ name: fqdn }] },
    { sourceIp: '10.41.2.4', perHour: 20, from: cutover, names: [{ name: fqdn, responseCode: 'NXDOMAIN' }] },
    { sourceIp: '10.41.2.5', perHour: 20, from: cutover, names: [{ name: fqdn, responseCode: 'NXDOMAIN' }] },
  ]);
  return {
    name: 'dns-failure',
    description: 'Fabrikam Retail (fictional), West Europe hub and spoke with Azure Firewall Premium; the firewall\'s DNS proxy forwards to Azure DNS and every VNet uses it. The orders API on vm-app01 and vm-app02 reads its secrets from Key Vault fab-orders-kv. At 07:25 UTC today (CHG-2612-131) the vault got a private endpoint (10.42.3.4 in the data spoke, created without a private DNS zone group) and its public network access was disabled; the A record in privatelink.vaultcore.azure.net (linked to hub, app and data VNets) was added by hand. Key Vault audit logs go to AZKVAuditLogs.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      call('vm-app01', app01Times),
      call('vm-app02', app02Times),
    ],
    extend: (log, random, window) => {
      extend(log, random, window);
      keyVaultEvents(log, estate, random, events);
    },
    expect: {
      question: 'why can\'t vm-app01 get its secrets from Key Vault fab-orders-kv.vault.azure.net between 07:30 and 09:00 UTC?',
      status: 'failing', layer: 'dns', cause: 'dns_failure', contributing: [], blockedAt: { component: 'dns' },
      rationale: 'Window 07:30-09:00 UTC on 2026-12-14; now is 09:45 UTC; firewall DNS logs arrive within minutes and Traffic Analytics (10 minutes) is processed well past 09:00, so the window is covered. AZFWDnsQuery shows vm-app01 (10.41.2.4) and vm-app02 (10.41.2.5) asking the firewall\'s DNS proxy for fab-orders-kv.vault.azure.net about every three minutes since 07:31, each answered ResponseCode NXDOMAIN, while before 07:31 the same name resolved (NOERROR). The name has no address, so no connection is attempted: AZFWApplicationRule shows the calls to fab-orders-kv.vault.azure.net (Allow by internet-egress/orders-key-vault) only until 07:31, AZKVAuditLogs shows their SecretGet requests (200, from the firewall\'s public address 20.103.88.41, AddressAuthorizationType PublicIP) only until then too, and nothing reaches the private endpoint 10.42.3.4 afterwards. Why NXDOMAIN: once the vault has a private endpoint, Azure\'s public answer for fab-orders-kv.vault.azure.net is a CNAME to fab-orders-kv.privatelink.vaultcore.azure.net, and Azure DNS answers that name from the private zone linked to the VNets; the zone holds the hand-made A record fab-ordres-kv (letters swapped) and no fab-orders-kv, and a private zone is authoritative (resolution policy Default, no fallback to the internet), so the answer is NXDOMAIN. The zone\'s links are fine (hub, app and data), so this is not private_dns_zone_not_linked. Cause dns_failure at dns, confidence high: DNS proxy rows for the very clients and name, nothing contradicts. Had the name resolved publicly, the vault (public network access now Disabled) would have refused with 403, but DNS fails first. Distractors: the wpad NXDOMAIN queries every VM makes all day, default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: rename the record to fab-orders-kv (better: delete it and add a private DNS zone group to pe-fab-orders-kv so the record is managed with the endpoint).',
    },
  };
}

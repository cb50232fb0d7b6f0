/**
 * keyvault-auth-deny: vm-app02 was redeployed this morning and came back with a
 * new system-assigned identity that has no role on the vault; its requests reach
 * Key Vault over the private endpoint and are refused by RBAC (403,
 * IsAddressAuthorized true), while vm-app01 keeps reading the same secret.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { keyVaultEvents, type KeyVaultEvent } from '../logs.js';
import { guidFor } from '../random.js';
import { addNetworkRule, standardExtend } from './common.js';

/** The story. */
export function keyVaultAuthDeny(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-12-12T20:36:51Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  estate.firewall.dnsServers = [];
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-privateendpoints', prefix: '10.22.3.0/24', routeTable: 'wgh-data-spoke-rt', privateEndpointNetworkPolicies: 'Disabled' });
  const vault = { name: 'wgh-claims-kv', resourceGroup: base.names.dataRg, publicNetworkAccess: 'Disabled' as const, defaultAction: 'Deny' as const, ipRules: [], enableRbacAuthorization: true, publicIp: '20.98.146.69' };
  estate.keyVaults.push(vault);
  const vaultId = ids.resource(vault.resourceGroup, 'Microsoft.KeyVault', `vaults/${vault.name}`);
  estate.privateEndpoints.push({ name: 'pe-wgh-claims-kv', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-privateendpoints', privateIp: '10.22.3.4', targetId: vaultId, groupId: 'vault', fqdn: 'wgh-claims-kv.vault.azure.net', zone: 'privatelink.vaultcore.azure.net' });
  estate.privateDnsZones.push({ name: 'privatelink.vaultcore.azure.net', resourceGroup: base.names.connectivityRg, links: [base.names.hub], records: [{ name: 'wgh-claims-kv', ip: '10.22.3.4' }] });
  addNetworkRule(base, 'spoke-to-spoke', 1200, 'Allow', { name: 'app-to-claims-kv', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: ['10.22.3.4'], ports: ['443'] });
  const app02 = estate.vms.find((vm) => vm.name === 'vm-app02');
  if (!app02) throw new Error('vm-app02 missing');
  const redeployed = '2026-12-13T08:04:00Z';
  app02.created = '2026-12-13T07:51:26.7730192+00:00';
  const now = '2026-12-13T10:35:00Z';
  const startMs = Date.parse(now) - 12 * 3_600_000;
  const every = (step: number, offset: number, from = startMs, to = Date.parse(now)): string[] => {
    const times: string[] = [];
    for (let index = 0; from + (offset + index * step) * 60_000 < to; index += 1) times.push(new Date(from + (offset + index * step) * 60_000 + (index * 7919) % 50_000).toISOString());
    return times;
  };
  const app01Times = every(15, 4);
  const app02Before = every(15, 11, startMs, Date.parse('2026-12-13T07:50:00Z'));
  const app02After = every(5, 1, Date.parse(redeployed));
  const oldIdentity = guidFor('oid:vm-app02:2026-06');
  const newIdentity = guidFor('oid:vm-app02:2026-12-13');
  const client = 'azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Microsoft Windows 10.0.20348)';
  const events: KeyVaultEvent[] = [
    ...app01Times.map((time) => ({ time: Date.parse(time) + 180, vault, operation: 'SecretGet' as const, callerIp: '10.21.2.4', objectId: guidFor('oid:vm-app01'), appId: guidFor('app:vm-app01'), result: 'ok' as const, addressAuthorizationType: 'PrivateLink' as const, secretName: 'claims-db-connection', clientInfo: client })),
    ...app02Before.map((time) => ({ time: Date.parse(time) + 180, vault, operation: 'SecretGet' as const, callerIp: '10.21.2.5', objectId: oldIdentity, appId: guidFor('app:vm-app02:2026-06'), result: 'ok' as const, addressAuthorizationType: 'PrivateLink' as const, secretName: 'claims-db-connection', clientInfo: client })),
    ...app02After.map((time) => ({ time: Date.parse(time) + 180, vault, operation: 'SecretGet' as const, callerIp: '10.21.2.5', objectId: newIdentity, appId: guidFor('app:vm-app02:2026-12-13'), result: 'rbac' as const, addressAuthorizationType: 'PrivateLink' as const, secretName: 'claims-db-connection', clientInfo: client })),
  ];
  const call = (name: string, at: string[]) => ({ source: { kind: 'vm' as const, name }, destination: { kind: 'private-endpoint' as const, name: 'pe-wgh-claims-kv' }, protocol: 'TCP' as const, port: 443, perHour: 0, at, packets: [9, 14] as [number, number], responseBytes: [5_000, 7_500] as [number, number] });
  const extend = standardExtend(base);
  return {
    name: 'keyvault-auth-deny',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium (DNS proxy to Azure DNS). Key Vault wgh-claims-kv (RBAC authorisation, public network access disabled) is reached through its private endpoint 10.22.3.4 in the data spoke; privatelink.vaultcore.azure.net is linked to the hub. The claims API on vm-app01 and vm-app02 reads its database connection string from the vault with the VMs\' system-assigned identities. vm-app02 was deleted and redeployed from the pipeline at 07:51 UTC today (new OS disk, new identity). Key Vault audit logs go to AZKVAuditLogs.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      call('vm-app01', app01Times),
      call('vm-app02', [...app02Before, ...app02After]),
    ],
    extend: (log, random, window) => {
      extend(log, random, window);
      keyVaultEvents(log, estate, random, events);
    },
    expect: {
      question: 'why does vm-app02 get 403 Forbidden reading the secret claims-db-connection from Key Vault wgh-claims-kv since it was redeployed at about 08:00 UTC?',
      status: 'failing', layer: 'application', cause: 'paas_auth_deny', contributing: [], blockedAt: { component: 'paas' },
      rationale: 'Window from 08:00 UTC on 2026-12-13; now is 10:35 UTC; Key Vault audit events arrive within about 10 minutes, so the window up to about 10:25 is covered. The network path works: vm-app02 (10.21.2.5) resolves wgh-claims-kv.vault.azure.net through the firewall\'s DNS proxy to the private endpoint 10.22.3.4, sends it to its 0.0.0.0/0 route, the firewall, where AZFWNetworkRule shows Allow by spoke-to-spoke/app-to-claims-kv with SYN-ACK, FIN and FIN-ACK in AZFWFlowTrace, and NTANetAnalytics at nic-vm-app02 shows the flows completed with kilobytes back. The vault answers them: AZKVAuditLogs has a SecretGet from CallerIpAddress 10.21.2.5 every five minutes since 08:04 with HttpStatusCode 403, ResultSignature Forbidden, IsAddressAuthorized true and AddressAuthorizationType PrivateLink (the network ACL accepted the request), IsRbacAuthorized false, and a ResultDescription "Caller is not authorized to perform action on resource ... Action: \'Microsoft.KeyVault/vaults/secrets/getSecret/action\' ... Assignment: (not found)", i.e. ForbiddenByRbac. The caller\'s object id in Identity differs from the one vm-app02 used until 07:50 (then 200 OK): the redeployment created a new system-assigned identity, and the role assignment of the old one does not carry over. vm-app01 (10.21.2.4) reads the same secret with 200 all along. Cause paas_auth_deny at paas, confidence high: the vault\'s own audit rows, nothing contradicts. Not paas_network_deny: IsAddressAuthorized is true and the request came over the private endpoint. Fix: grant the new identity of vm-app02 Key Vault Secrets User on wgh-claims-kv (better: use a user-assigned identity that survives redeployments), and remove the orphaned assignment.',
    },
  };
}

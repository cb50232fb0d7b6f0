/**
 * appservice-keyvault-dns-not-linked: the claims portal (App Service, regional
 * VNet integration into its own VNet with Azure-provided DNS) calls Key Vault by
 * its public name; privatelink.vaultcore.azure.net is linked to the hub only, so
 * the name resolves to the public endpoint and the vault's firewall refuses the
 * App Service's outbound address.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { keyVaultEvents, type KeyVaultEvent } from '../logs.js';
import { guidFor } from '../random.js';
import { addNetworkRule, standardExtend } from './common.js';

/** The story. */
export function appServiceKeyVaultDnsNotLinked(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-11-25T20:14:52Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  estate.firewall.dnsServers = [];
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-privateendpoints', prefix: '10.22.3.0/24', routeTable: 'wgh-data-spoke-rt', privateEndpointNetworkPolicies: 'Disabled' });
  const portalRg = 'wgh-portal-rg';
  estate.vnets.push({ name: 'wgh-portal-cus-vnet', resourceGroup: portalRg, addressSpace: ['10.23.0.0/16'], dnsServers: [], flowLog: { enabled: true, intervalInMinutes: 10, trafficAnalytics: true }, subnets: [{ name: 'snet-appsvc-integration', prefix: '10.23.1.0/26', delegation: 'Microsoft.Web/serverFarms' }] });
  estate.peerings.push({ from: base.names.hub, to: 'wgh-portal-cus-vnet', allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false }, { from: 'wgh-portal-cus-vnet', to: base.names.hub, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true });
  const vault = { name: 'wgh-claims-kv', resourceGroup: base.names.dataRg, publicNetworkAccess: 'Enabled' as const, defaultAction: 'Deny' as const, ipRules: ['192.0.2.64/27'], enableRbacAuthorization: true, publicIp: '20.98.146.69' };
  estate.keyVaults.push(vault);
  const vaultId = ids.resource(vault.resourceGroup, 'Microsoft.KeyVault', `vaults/${vault.name}`);
  estate.privateEndpoints.push({ name: 'pe-wgh-claims-kv', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-privateendpoints', privateIp: '10.22.3.4', targetId: vaultId, groupId: 'vault', fqdn: 'wgh-claims-kv.vault.azure.net', zone: 'privatelink.vaultcore.azure.net' });
  estate.privateDnsZones.push({ name: 'privatelink.vaultcore.azure.net', resourceGroup: base.names.connectivityRg, links: [base.names.hub], records: [{ name: 'wgh-claims-kv', ip: '10.22.3.4' }] });
  const portal = { name: 'wgh-claims-portal', resourceGroup: portalRg, planName: 'wgh-claims-portal-plan', vnet: 'wgh-portal-cus-vnet', subnet: 'snet-appsvc-integration', outboundIps: ['52.165.184.77', '52.165.190.12', '20.118.48.203'], principalId: guidFor('principal:wgh-claims-portal'), vnetRouteAllEnabled: false };
  estate.webApps.push(portal);
  addNetworkRule(base, 'spoke-to-spoke', 1200, 'Allow', { name: 'app-to-claims-kv', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: ['10.22.3.4'], ports: ['443'] });
  const now = '2026-11-26T13:15:00Z';
  const startMs = Date.parse(now) - 12 * 3_600_000;
  const appIds = { app01: guidFor('oid:vm-app01'), app02: guidFor('oid:vm-app02'), portal: portal.principalId, admin: guidFor('oid:kv-admin') };
  const vmTimes = (name: string, step: number, offset: number): string[] => Array.from({ length: Math.floor((12 * 60 - offset) / step) }, (_value, index) => new Date(startMs + (offset + index * step) * 60_000 + (index * 7919) % 50_000).toISOString());
  const app01Times = vmTimes('vm-app01', 17, 3);
  const app02Times = vmTimes('vm-app02', 23, 9);
  const portalTimes = Array.from({ length: 26 }, (_value, index) => new Date(Date.parse('2026-11-26T11:02:10Z') + index * 300_000 + (index * 3371) % 20_000).toISOString()).filter((time) => Date.parse(time) < Date.parse(now));
  const events: KeyVaultEvent[] = [
    ...app01Times.map((time) => ({ time: Date.parse(time) + 180, vault, operation: 'SecretGet' as const, callerIp: '10.21.2.4', objectId: appIds.app01, appId: guidFor('app:vm-app01'), result: 'ok' as const, addressAuthorizationType: 'PrivateLink' as const, secretName: 'claims-db-connection', clientInfo: 'azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Microsoft Windows 10.0.20348)' })),
    ...app02Times.map((time) => ({ time: Date.parse(time) + 180, vault, operation: 'SecretGet' as const, callerIp: '10.21.2.5', objectId: appIds.app02, appId: guidFor('app:vm-app02'), result: 'ok' as const, addressAuthorizationType: 'PrivateLink' as const, secretName: 'claims-db-connection', clientInfo: 'azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Microsoft Windows 10.0.20348)' })),
    ...portalTimes.map((time, index) => ({ time: Date.parse(time), vault, operation: 'SecretGet' as const, callerIp: portal.outboundIps[index % 2] ?? '', objectId: appIds.portal, appId: guidFor('app:wgh-claims-portal'), result: 'firewall' as const, secretName: 'portal-signing-key', clientInfo: 'azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Linux 5.15.164.1-1.cm2)' })),
    { time: Date.parse('2026-11-26T08:12:44Z'), vault, operation: 'VaultGet', callerIp: '192.0.2.70', objectId: appIds.admin, appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', result: 'ok', addressAuthorizationType: 'PublicIP', clientInfo: 'AzureCLI/2.66.0' },
  ];
  const base2 = standardExtend(base);
  return {
    name: 'appservice-keyvault-dns-not-linked',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium (DNS proxy to Azure DNS). Key Vault wgh-claims-kv allows its private endpoint (10.22.3.4 in the data spoke) and the Des Moines egress range 192.0.2.64/27 only (public network access: selected networks). privatelink.vaultcore.azure.net is linked to the hub VNet. The claims portal (App Service wgh-claims-portal, regional VNet integration into wgh-portal-cus-vnet, Azure-provided DNS, Route All off) was deployed at 11:00 UTC today and reads its signing key from the vault. Key Vault audit logs go to AZKVAuditLogs.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: { kind: 'private-endpoint', name: 'pe-wgh-claims-kv' }, protocol: 'TCP', port: 443, perHour: 0, at: app01Times, packets: [9, 14], responseBytes: [5_000, 7_500] },
      { source: { kind: 'vm', name: 'vm-app02' }, destination: { kind: 'private-endpoint', name: 'pe-wgh-claims-kv' }, protocol: 'TCP', port: 443, perHour: 0, at: app02Times, packets: [9, 14], responseBytes: [5_000, 7_500] },
    ],
    extend: (log, random, window) => {
      base2(log, random, window);
      keyVaultEvents(log, estate, random, events);
    },
    expect: {
      question: 'why does the App Service wgh-claims-portal get 403 from Key Vault wgh-claims-kv since 11:00 UTC today?',
      status: 'failing', layer: 'application', cause: 'paas_network_deny', contributing: ['private_dns_zone_not_linked'], blockedAt: { component: 'paas' },
      rationale: 'Window from 11:00 UTC on 2026-11-26; now is 13:15 UTC; Key Vault audit events arrive within about 10 minutes, so the window up to about 13:05 is covered. AZKVAuditLogs has a SecretGet for portal-signing-key every five minutes since 11:02 with HttpStatusCode 403, ResultSignature Forbidden, IsAddressAuthorized false, ResultDescription "Client address is not authorized and caller is not a trusted service. Client address: 52.165.184.77 (or 52.165.190.12) from unknown subnet", CallerIpAddress one of the App Service\'s outbound addresses (outboundIpAddresses of wgh-claims-portal): the request reached the vault over its public endpoint and the vault\'s network rules (default action Deny, IP rule 192.0.2.64/27 only) refused it. Why public: the app\'s VNet integration subnet is in wgh-portal-cus-vnet, which uses Azure-provided DNS, and privatelink.vaultcore.azure.net has a virtual network link to the hub VNet only, so wgh-claims-kv.vault.azure.net follows its public CNAME chain instead of the private A record 10.22.3.4. The control group proves the vault and its private endpoint work: vm-app01 and vm-app02 read claims-db-connection all day with 200, CallerIpAddress 10.21.2.4 and 10.21.2.5, AddressAuthorizationType PrivateLink (their VNets resolve through the firewall DNS proxy in the hub, which is linked), matching their allowed flows to 10.22.3.4:443 through the firewall (app-to-claims-kv). There is no flow-log or firewall evidence for the portal because with Route All off its traffic to a public address never enters the VNet. Cause paas_network_deny at paas, contributing private_dns_zone_not_linked, confidence high: 403 rows with IsAddressAuthorized false from the app\'s own outbound addresses, and the zone\'s links read from configuration. Not paas_auth_deny: the refusal is the network ACL (IsRbacAuthorized is not evaluated). Fix: link privatelink.vaultcore.azure.net to wgh-portal-cus-vnet (or point that VNet\'s DNS at the firewall DNS proxy 10.20.1.4); do not add the App Service outbound IPs to the vault firewall.',
    },
  };
}

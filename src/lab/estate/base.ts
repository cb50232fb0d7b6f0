/**
 * The standard landing zone every story starts from: a hub with Azure Firewall
 * Premium (DNS proxy) and a route-based VPN to one on-premises site, an app
 * spoke (web and app tiers) and a data spoke, forced tunnelling through the
 * firewall, VNet flow logs with Traffic Analytics, and a working day of
 * background traffic. Stories change this description and add their own flows.
 */
import type { DnsTemplate } from './logs.js';
import type { EstateSpec, NsgSpec, Organisation, RouteTableSpec, VmSpec } from './model.js';
import type { FlowTemplate } from './traffic.js';

/** Parameters of the standard estate. */
export interface BaseOptions {
  organisation: Organisation;
  /** Second octet of the hub, app spoke and data spoke (10.x.0.0/16). */
  octets: { hub: number; app: number; data: number };
  onPrem: {
    site: string;
    prefixes: string[];
    gatewayIp: string;
    domainControllers: [string, string];
    /** The IT VLAN prefix allowed to RDP to servers. */
    itPrefix: string;
    itHosts: string[];
    userHosts: string[];
    monitoringHost: string;
  };
  firewallPublicIp: string;
  gatewayPublicIp: string;
  /** When the VMs were deployed (ISO). */
  deployed: string;
  /** When the current VPN tunnel came up (ISO). */
  connectedSince: string;
}

/** The standard estate with its background flows and DNS queries. */
export interface Base {
  estate: EstateSpec;
  flows: FlowTemplate[];
  dns: DnsTemplate[];
  names: { hub: string; app: string; data: string; connectivityRg: string; appRg: string; dataRg: string };
  addresses: { firewall: string; hubPrefix: string; appPrefix: string; dataPrefix: string; mgmtPrefix: string; webPrefix: string; appTierPrefix: string; sqlPrefix: string };
}

/** Builds the standard estate for an organisation. */
export function standardEstate(options: BaseOptions): Base {
  const org = options.organisation;
  const p = org.prefix;
  const r = org.region;
  const { hub: h, app: a, data: d } = options.octets;
  const connectivityRg = `${p}-connectivity-rg`;
  const appRg = `${p}-app-rg`;
  const dataRg = `${p}-data-rg`;
  const hub = `${p}-hub-${r}-vnet`;
  const app = `${p}-app-${r}-vnet`;
  const data = `${p}-data-${r}-vnet`;
  const firewall = `10.${h}.1.4`;
  const hubPrefix = `10.${h}.0.0/16`;
  const appPrefix = `10.${a}.0.0/16`;
  const dataPrefix = `10.${d}.0.0/16`;
  const mgmtPrefix = `10.${h}.10.0/24`;
  const webPrefix = `10.${a}.1.0/24`;
  const appTierPrefix = `10.${a}.2.0/24`;
  const sqlPrefix = `10.${d}.1.0/24`;
  const onPrem = options.onPrem;
  const flowLog = { enabled: true, intervalInMinutes: 10 as const, trafficAnalytics: true };

  const routeTables: RouteTableSpec[] = [
    { name: `${p}-gatewaysubnet-rt`, resourceGroup: connectivityRg, disableBgpRoutePropagation: false, routes: [
      { name: 'app-spoke-to-firewall', prefix: appPrefix, nextHopType: 'VirtualAppliance', nextHopIp: firewall },
      { name: 'data-spoke-to-firewall', prefix: dataPrefix, nextHopType: 'VirtualAppliance', nextHopIp: firewall },
    ] },
    { name: `${p}-hub-mgmt-rt`, resourceGroup: connectivityRg, disableBgpRoutePropagation: false, routes: [
      { name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: firewall },
      { name: 'app-spoke-to-firewall', prefix: appPrefix, nextHopType: 'VirtualAppliance', nextHopIp: firewall },
      { name: 'data-spoke-to-firewall', prefix: dataPrefix, nextHopType: 'VirtualAppliance', nextHopIp: firewall },
    ] },
    { name: `${p}-app-spoke-rt`, resourceGroup: appRg, disableBgpRoutePropagation: true, routes: [
      { name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: firewall },
      { name: 'hub-mgmt-to-firewall', prefix: mgmtPrefix, nextHopType: 'VirtualAppliance', nextHopIp: firewall },
    ] },
    { name: `${p}-data-spoke-rt`, resourceGroup: dataRg, disableBgpRoutePropagation: true, routes: [
      { name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: firewall },
      { name: 'hub-mgmt-to-firewall', prefix: mgmtPrefix, nextHopType: 'VirtualAppliance', nextHopIp: firewall },
    ] },
  ];

  const fromMgmt = (priority: number): NsgSpec['rules'][number] => ({ name: 'Allow-Admin-From-HubMgmt', priority, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: mgmtPrefix, destination: '*', destinationPorts: ['3389', '22'], description: 'Jump host administration' });
  const winrm = (priority: number): NsgSpec['rules'][number] => ({ name: 'Allow-WinRM-From-Monitoring', priority, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: onPrem.monitoringHost, destination: '*', destinationPorts: '5985', description: 'On-premises monitoring (SCOM)' });
  const denyRest = { name: 'DenyAllInboundCustom', priority: 4096, direction: 'Inbound' as const, access: 'Deny' as const, protocol: '*' as const, source: '*', destination: '*', destinationPorts: '*', description: 'Everything not allowed above' };
  const nsgs: NsgSpec[] = [
    { name: `${p}-hub-mgmt-snet-nsg`, resourceGroup: connectivityRg, rules: [{ name: 'Allow-RDP-From-OnPrem-IT', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: onPrem.itPrefix, destination: '*', destinationPorts: ['3389', '22'], description: 'IT VLAN administration' }] },
    { name: `${p}-web-snet-nsg`, resourceGroup: appRg, rules: [{ name: 'Allow-HTTPS-From-OnPrem', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: onPrem.prefixes, destination: '*', destinationPorts: '443' }, fromMgmt(110), winrm(120), denyRest] },
    { name: `${p}-app-snet-nsg`, resourceGroup: appRg, rules: [{ name: 'Allow-AppApi-From-Web', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: webPrefix, destination: '*', destinationPorts: '8443' }, fromMgmt(110), winrm(120), denyRest] },
    { name: `${p}-sql-snet-nsg`, resourceGroup: dataRg, rules: [{ name: 'Allow-SQL-From-App', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: appTierPrefix, destination: '*', destinationPorts: '1433' }, fromMgmt(110), winrm(120), denyRest] },
  ];

  const vm = (name: string, resourceGroup: string, vnet: string, subnet: string, privateIp: string, os: VmSpec['os'], workload: string, zone: string, size = 'Standard_D4s_v5'): VmSpec =>
    ({ name, resourceGroup, vnet, subnet, privateIp, os, size, zone, workload, created: options.deployed });
  const vms: VmSpec[] = [
    vm('vm-jump01', connectivityRg, hub, 'snet-mgmt', `10.${h}.10.4`, 'Windows', 'platform-management', '1', 'Standard_B2ms'),
    vm('vm-web01', appRg, app, 'snet-web', `10.${a}.1.4`, 'Linux', 'storefront', '1'),
    vm('vm-web02', appRg, app, 'snet-web', `10.${a}.1.5`, 'Linux', 'storefront', '2'),
    vm('vm-app01', appRg, app, 'snet-app', `10.${a}.2.4`, 'Windows', 'orders-api', '1'),
    vm('vm-app02', appRg, app, 'snet-app', `10.${a}.2.5`, 'Windows', 'orders-api', '2'),
    vm('vm-sql01', dataRg, data, 'snet-sql', `10.${d}.1.4`, 'Windows', 'orders-db', '1', 'Standard_E8s_v5'),
  ];

  const spokes = [appPrefix, dataPrefix];
  const estate: EstateSpec = {
    organisation: org,
    monitorResourceGroup: `${p}-monitor-rg`,
    workspaceName: `${p}-platform-${r}-law`,
    flowLogStorage: { name: `${p}flowlogs${r}`, resourceGroup: `${p}-monitor-rg`, publicNetworkAccess: 'Enabled' },
    vnets: [
      { name: hub, resourceGroup: connectivityRg, addressSpace: [hubPrefix], dnsServers: [firewall], flowLog, subnets: [
        { name: 'GatewaySubnet', prefix: `10.${h}.0.0/27`, routeTable: `${p}-gatewaysubnet-rt` },
        { name: 'AzureFirewallSubnet', prefix: `10.${h}.1.0/26` },
        { name: 'snet-mgmt', prefix: mgmtPrefix, nsg: `${p}-hub-mgmt-snet-nsg`, routeTable: `${p}-hub-mgmt-rt` },
      ] },
      { name: app, resourceGroup: appRg, addressSpace: [appPrefix], dnsServers: [firewall], flowLog, subnets: [
        { name: 'snet-web', prefix: webPrefix, nsg: `${p}-web-snet-nsg`, routeTable: `${p}-app-spoke-rt` },
        { name: 'snet-app', prefix: appTierPrefix, nsg: `${p}-app-snet-nsg`, routeTable: `${p}-app-spoke-rt` },
      ] },
      { name: data, resourceGroup: dataRg, addressSpace: [dataPrefix], dnsServers: [firewall], flowLog, subnets: [
        { name: 'snet-sql', prefix: sqlPrefix, nsg: `${p}-sql-snet-nsg`, routeTable: `${p}-data-spoke-rt` },
      ] },
    ],
    peerings: [app, data].flatMap((spoke) => [
      { from: hub, to: spoke, allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false },
      { from: spoke, to: hub, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true },
    ]),
    routeTables,
    nsgs,
    vms,
    firewall: {
      name: `${p}-hub-${r}-afw`, policyName: `${p}-hub-${r}-afwp`, resourceGroup: connectivityRg, privateIp: firewall, publicIp: options.firewallPublicIp, tier: 'Premium',
      threatIntelMode: 'Alert', idpsMode: 'Alert', dnsProxy: true, dnsServers: [...onPrem.domainControllers], flowTrace: true,
      ruleCollectionGroups: [
        { name: 'DefaultNetworkRuleCollectionGroup', priority: 200, collections: [
          { kind: 'network', name: 'onprem-to-azure', priority: 1000, action: 'Allow', rules: [
            { name: 'https-onprem-to-web', protocols: ['TCP'], sources: onPrem.prefixes, destinations: [webPrefix], ports: ['443'] },
            { name: 'winrm-monitoring', protocols: ['TCP'], sources: [onPrem.monitoringHost], destinations: spokes, ports: ['5985'], description: 'SCOM health checks' },
          ] },
          { kind: 'network', name: 'azure-to-onprem', priority: 1100, action: 'Allow', rules: [
            { name: 'ad-ds-to-dcs', protocols: ['TCP', 'UDP'], sources: [...spokes, mgmtPrefix], destinations: [...onPrem.domainControllers], ports: ['53', '88', '389', '445', '464', '3268'] },
          ] },
          { kind: 'network', name: 'spoke-to-spoke', priority: 1200, action: 'Allow', rules: [
            { name: 'app-to-sql', protocols: ['TCP'], sources: [appTierPrefix], destinations: [`10.${d}.1.4`], ports: ['1433'] },
          ] },
          { kind: 'network', name: 'mgmt-to-spokes', priority: 1300, action: 'Allow', rules: [
            { name: 'jump-admin', protocols: ['TCP'], sources: [mgmtPrefix], destinations: spokes, ports: ['3389', '22'] },
          ] },
        ] },
        { name: 'DefaultApplicationRuleCollectionGroup', priority: 300, collections: [
          { kind: 'application', name: 'internet-egress', priority: 1000, action: 'Allow', rules: [
            { name: 'windows-update', protocols: [{ protocolType: 'Http', port: 80 }, { protocolType: 'Https', port: 443 }], sources: [mgmtPrefix, ...spokes], fqdns: [], fqdnTags: ['WindowsUpdate'] },
            { name: 'azure-monitor', protocols: [{ protocolType: 'Https', port: 443 }], sources: [mgmtPrefix, ...spokes], fqdns: ['*.ods.opinsights.azure.com', '*.oms.opinsights.azure.com', 'global.handler.control.monitor.azure.com', `${org.location}.handler.control.monitor.azure.com`] },
            { name: 'entra-id', protocols: [{ protocolType: 'Https', port: 443 }], sources: [mgmtPrefix, ...spokes], fqdns: ['login.microsoftonline.com', 'login.windows.net'] },
            { name: 'ubuntu-updates', protocols: [{ protocolType: 'Http', port: 80 }, { protocolType: 'Https', port: 443 }], sources: [webPrefix], fqdns: ['azure.archive.ubuntu.com', 'security.ubuntu.com'] },
          ] },
        ] },
      ],
    },
    gateway: {
      name: `${p}-hub-${r}-vgw`, resourceGroup: connectivityRg, publicIp: options.gatewayPublicIp, instanceIps: [`10.${h}.0.4`, `10.${h}.0.5`], sku: 'VpnGw2AZ',
      localGatewayName: `${p}-${onPrem.site}-lgw`, siteName: onPrem.site, onPremGatewayIp: onPrem.gatewayIp, onPremPrefixes: onPrem.prefixes,
      connectionName: `${p}-hub-${r}-to-${onPrem.site}-cn`, connectionStatus: 'Connected', connectedSince: options.connectedSince,
    },
    privateEndpoints: [],
    privateDnsZones: [],
    keyVaults: [],
    webApps: [],
    storageAccounts: [],
    flowLogPolicyInterval: 10,
  };

  const vmEndpoint = (name: string) => ({ kind: 'vm' as const, name });
  const onPremEndpoint = (ip: string) => ({ kind: 'onprem' as const, ip });
  const azure = (ip: string) => ({ kind: 'public' as const, ip, azure: true, country: '' });
  const flows: FlowTemplate[] = [];
  for (const [index, user] of onPrem.userHosts.entries()) {
    flows.push({ source: onPremEndpoint(user), destination: vmEndpoint(index % 2 === 0 ? 'vm-web01' : 'vm-web02'), protocol: 'TCP', port: 443, perHour: 1.2, packets: [8, 30], responseBytes: [6_000, 180_000] });
  }
  for (const web of ['vm-web01', 'vm-web02']) for (const api of ['vm-app01', 'vm-app02']) flows.push({ source: vmEndpoint(web), destination: vmEndpoint(api), protocol: 'TCP', port: 8443, perHour: 1.5, packets: [6, 20], responseBytes: [2_000, 40_000] });
  for (const api of ['vm-app01', 'vm-app02']) flows.push({ source: vmEndpoint(api), destination: vmEndpoint('vm-sql01'), protocol: 'TCP', port: 1433, perHour: 2.5, packets: [20, 200], responseBytes: [20_000, 900_000], durationInSeconds: [5, 600] });
  for (const [index, source] of ['vm-app01', 'vm-app02', 'vm-sql01', 'vm-jump01'].entries()) {
    const controller = onPrem.domainControllers[index % 2] ?? onPrem.domainControllers[0];
    flows.push({ source: vmEndpoint(source), destination: onPremEndpoint(controller), protocol: 'TCP', port: 389, perHour: 1, packets: [6, 14], responseBytes: [1_500, 9_000] });
    flows.push({ source: vmEndpoint(source), destination: onPremEndpoint(controller), protocol: 'TCP', port: 88, perHour: 0.5, packets: [4, 8], responseBytes: [1_200, 4_000] });
  }
  for (const target of ['vm-web01', 'vm-app01', 'vm-sql01']) {
    flows.push({ source: onPremEndpoint(onPrem.monitoringHost), destination: vmEndpoint(target), protocol: 'TCP', port: 5985, perHour: 1, packets: [10, 26], responseBytes: [8_000, 40_000], idps: { signatureId: '2024548', category: 'Potential Corporate Privacy Violation', description: 'ET POLICY WinRM wsman Access - Possible Lateral Movement', severity: 2, probability: 0.8 } });
  }
  flows.push({ source: vmEndpoint('vm-jump01'), destination: vmEndpoint('vm-app01'), protocol: 'TCP', port: 3389, perHour: 0.3, durationInSeconds: [120, 2400], packets: [200, 2000], responseBytes: [200_000, 9_000_000] });
  for (const source of ['vm-app01', 'vm-sql01', 'vm-jump01']) {
    flows.push({ source: vmEndpoint(source), destination: azure('20.42.73.29'), protocol: 'TCP', port: 443, fqdn: `${org.workspaceId}.ods.opinsights.azure.com`, perHour: 1, packets: [12, 40], responseBytes: [2_000, 9_000] });
  }
  flows.push({ source: vmEndpoint('vm-app02'), destination: azure('20.190.151.7'), protocol: 'TCP', port: 443, fqdn: 'login.microsoftonline.com', perHour: 0.8, packets: [10, 20], responseBytes: [6_000, 14_000] });
  flows.push({ source: vmEndpoint('vm-sql01'), destination: { kind: 'public', ip: '23.46.229.81', azure: false, country: 'us' }, protocol: 'TCP', port: 80, fqdn: 'ctldl.windowsupdate.com', url: 'http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/authrootstl.cab', perHour: 0.4, packets: [30, 60], responseBytes: [80_000, 460_000] });
  flows.push({ source: vmEndpoint('vm-web01'), destination: { kind: 'public', ip: '91.189.91.83', azure: false, country: 'gb' }, protocol: 'TCP', port: 80, fqdn: 'azure.archive.ubuntu.com', url: 'http://azure.archive.ubuntu.com/ubuntu/dists/noble-updates/InRelease', perHour: 0.4, packets: [12, 40], responseBytes: [40_000, 260_000] });
  flows.push({ source: vmEndpoint('vm-app02'), destination: onPremEndpoint(onPrem.domainControllers[0]), protocol: 'TCP', port: 135, perHour: 0.5, packets: [3, 3] });
  flows.push({ source: onPremEndpoint(onPrem.monitoringHost), destination: vmEndpoint('vm-sql01'), protocol: 'TCP', port: 1433, perHour: 0.4, packets: [3, 3] });
  flows.push({ source: vmEndpoint('vm-jump01'), destination: { kind: 'public', ip: '203.0.113.80', azure: false, country: 'zz' }, protocol: 'TCP', port: 443, fqdn: 'updates.fastmirror-cdn.example', perHour: 2.4, packets: [3, 4], threat: { description: 'Malware', destinationIp: '203.0.113.80' } });
  for (const it of onPrem.itHosts) flows.push({ source: onPremEndpoint(it), destination: vmEndpoint('vm-jump01'), protocol: 'TCP', port: 3389, perHour: 0.4, durationInSeconds: [300, 3600], packets: [400, 4000], responseBytes: [500_000, 20_000_000] });

  const domain = org.domain;
  const dns: DnsTemplate[] = vms.map((machine) => ({
    sourceIp: machine.privateIp, perHour: 0.9,
    names: [{ name: `dc01.${domain}` }, { name: `_ldap._tcp.dc._msdcs.${domain}`, type: 'SRV' as const }, { name: `vm-sql01.${domain}` }, { name: 'login.microsoftonline.com' }, { name: `${org.location}.handler.control.monitor.azure.com` }, { name: `wpad.${domain}`, responseCode: 'NXDOMAIN' as const }],
  }));

  return {
    estate, flows, dns,
    names: { hub, app, data, connectivityRg, appRg, dataRg },
    addresses: { firewall, hubPrefix, appPrefix, dataPrefix, mgmtPrefix, webPrefix, appTierPrefix, sqlPrefix },
  };
}

/** Every rule: it fires on its evidence, stays silent without it, and does not claim what the evidence cannot decide. */
import { describe, expect, it } from 'vitest';
import type { CaptureFinding, ObservationCode } from '../../src/domain/index.js';
import type { RuleInput } from '../../src/rules/index.js';
import { RULES } from '../../src/rules/index.js';
import {
  ID, IP, IN_WINDOW, capture, conversation, effectiveRoutes, effectiveRules, estate, firewallLog, flowLog, freshness, input, peering, question, routeTable, subnet, vaultLog,
} from './builder.js';

const covered = [freshness('AZFWNetworkRule', '2026-11-12T17:00:00Z'), freshness('NTANetAnalytics', '2026-11-12T16:00:00Z')];
const late = [freshness('AZFWNetworkRule', '2026-11-12T14:20:00Z'), freshness('NTANetAnalytics', '2026-11-12T13:50:00Z')];
const neighbourRow = firewallLog({ sourceIp: IP.branchNeighbour });
const vaultQuestion = question({ source: IP.app, destination: '52.1.1.1', destinationName: 'kv-app.vault.azure.net', destinationId: ID.vault, port: 443 });
const webQuestion = question({ source: IP.app, destination: '52.1.1.1', destinationName: 'api.contoso.com', port: 443 });
const appCapture = (conversations: Parameters<typeof capture>[1], findings: Parameters<typeof capture>[2] = []) => capture(ID.appVm, conversations, findings);
const observation = (code: ObservationCode, frames = [3]): CaptureFinding => ({ code, conversation: 'tcp-0', summary: `observed ${code}`, frames });
const connectedProbe = { kind: 'connectivity-check' as const, data: { connectionStatus: 'Connected', protocol: 'Tcp', probesSent: 10, probesFailed: 0, hops: [{ type: 'VirtualAppliance', address: IP.firewall, resourceId: ID.firewall, issues: [] }] } };
/** A flow-trace row of Azure Firewall (AZFWFlowTrace) for the default RDP flow: from the server unless `fromClient`. */
const trace = (flag: string, clientPort = 50123, fromClient = false) => firewallLog(fromClient
  ? { kind: 'flow-trace', table: 'AZFWFlowTrace', flag, action: 'Log', rule: null, ruleCollection: null, ruleCollectionGroup: null, sourcePort: clientPort }
  : { kind: 'flow-trace', table: 'AZFWFlowTrace', flag, action: 'Log', rule: null, ruleCollection: null, ruleCollectionGroup: null, sourceIp: IP.app, sourcePort: 3389, destinationIp: IP.branchHost, destinationPort: clientPort });
const certificate = (issuer: string) => ({ subject: 'CN=api.contoso.com', issuer, selfSigned: false, isCA: false, notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', dnsNames: ['api.contoso.com'] });

function run(name: string, ruleInput: RuleInput) {
  const rule = RULES.find((candidate) => candidate.name === name);
  if (rule === undefined) throw new Error(`no rule ${name}`);
  return rule.run(ruleInput);
}

type Case = [description: string, rule: string, ruleInput: RuleInput, codes: string[], confidence?: string];

const cases: Case[] = [
  // no_packets_from_source
  ['no packets: covered window, other branch hosts seen, none from the source', 'no-packets-from-source', input({ evidence: [...covered, neighbourRow] }), ['no_packets_from_source'], 'medium'],
  ['no packets: the source is in the firewall log', 'no-packets-from-source', input({ evidence: [...covered, firewallLog({})] }), []],
  ['no packets: the window is not ingested yet, so absence proves nothing', 'no-packets-from-source', input({ evidence: [...late, neighbourRow] }), []],
  ['no packets: tunnel down', 'no-packets-from-source', input({ topology: estate((t) => { t.connections[0]!.connectionStatus = 'NotConnected'; }) }), ['no_packets_from_source'], 'medium'],
  ['no packets: an Azure source is not a remote site', 'no-packets-from-source', input({ question: question({ source: IP.data, port: 443 }), evidence: covered }), []],
  // nsg_deny
  ['nsg deny from Traffic Analytics naming the rule', 'nsg-deny', input({ evidence: [flowLog({ status: 'denied', aclRule: 'Deny-All-Inbound', packetsDestinationToSource: 0 })] }), ['nsg_deny'], 'high'],
  ['nsg deny from the configured NSG', 'nsg-deny', input({ topology: estate((t) => { t.networkSecurityGroups[0]!.rules[0]!.access = 'Deny'; }) }), ['nsg_deny'], 'medium'],
  ['nsg deny from effective rules', 'nsg-deny', input({ evidence: [effectiveRules(ID.appNic, [
    { networkSecurityGroupId: ID.appNsg, appliedTo: 'subnet', name: 'securityRules/Deny-RDP', priority: 100, direction: 'Inbound', access: 'Deny', protocol: 'Tcp', sourcePrefixes: ['0.0.0.0/0'], sourcePortRanges: ['0-65535'], destinationPrefixes: ['0.0.0.0/0'], destinationPortRanges: ['3389-3389'] },
  ])] }), ['nsg_deny'], 'high'],
  ['nsg allows: nothing', 'nsg-deny', input({ evidence: [flowLog({})] }), []],
  // firewall
  ['firewall deny row', 'firewall-deny', input({ evidence: [firewallLog({ action: 'Deny', rule: null, ruleCollection: null, ruleCollectionGroup: null, actionReason: 'Default Action' })] }), ['firewall_deny'], 'high'],
  ['firewall policy denies, no log row', 'firewall-deny', input({ topology: estate((t) => { t.firewalls[0]!.rules.shift(); }) }), ['firewall_deny'], 'medium'],
  ['firewall allow row: nothing', 'firewall-deny', input({ evidence: [firewallLog({})] }), []],
  ['a deny row of a neighbour is not this flow', 'firewall-deny', input({ evidence: [firewallLog({ sourceIp: IP.branchNeighbour, action: 'Deny' }), firewallLog({})] }), []],
  ['threat intel Deny', 'firewall-threat-intel-deny', input({ evidence: [firewallLog({ kind: 'threat-intel', table: 'AZFWThreatIntel', action: 'Deny', description: 'Botnet' })] }), ['firewall_threat_intel_deny'], 'high'],
  ['threat intel Alert stops nothing', 'firewall-threat-intel-deny', input({ evidence: [firewallLog({ kind: 'threat-intel', table: 'AZFWThreatIntel', action: 'Alert' })] }), []],
  ['IDPS Drop', 'firewall-idps-deny', input({ evidence: [firewallLog({ kind: 'idps', table: 'AZFWIdpsSignature', action: 'Drop', signatureId: '2028816' })] }), ['firewall_idps_deny'], 'high'],
  ['IDPS Alert stops nothing', 'firewall-idps-deny', input({ evidence: [firewallLog({ kind: 'idps', table: 'AZFWIdpsSignature', action: 'Alert', signatureId: '2028816' })] }), []],
  // routes and peerings
  ['blackhole on the way back', 'no-route', input({ topology: estate((t) => { routeTable(t, ID.spokeRoutes).routes.push({ name: 'blackhole', addressPrefix: '192.168.0.0/16', nextHopType: 'None', nextHopIpAddress: null }); }) }), ['no_route'], 'medium'],
  ['Network Watcher next hop None', 'no-route', input({ question: question({ source: IP.app, destination: '172.20.0.1', port: 443 }), topology: estate((t) => { routeTable(t, ID.spokeRoutes).routes = []; }),
    evidence: [{ kind: 'next-hop', data: { sourceIp: IP.app, destinationIp: '172.20.0.1', networkInterfaceId: ID.appNic, nextHopType: 'None', nextHopIpAddress: null, routeTableId: null } }] }), ['no_route'], 'high'],
  ['routes fine: nothing', 'no-route', input(), []],
  ['GatewaySubnet UDR to nobody (computed: medium)', 'next-hop-invalid', input({ topology: estate((t) => { routeTable(t, ID.gatewayRoutes).routes[0]!.nextHopIpAddress = '10.200.1.9'; }) }), ['next_hop_invalid'], 'medium'],
  ['next hop is the running firewall: nothing', 'next-hop-invalid', input(), []],
  ['peering disconnected (its state is read: high)', 'peering-not-connected', input({ topology: estate((t) => { peering(t, ID.spokeToHub).state = 'Disconnected'; }) }), ['peering_not_connected'], 'high'],
  ['peering connected: nothing', 'peering-not-connected', input(), []],
  ['forwarded traffic refused', 'peering-blocks-transit', input({ topology: estate((t) => { peering(t, ID.spokeToHub).allowForwardedTraffic = false; }) }), ['peering_blocks_transit']],
  ['peering settings fine: nothing', 'peering-blocks-transit', input(), []],
  // asymmetry
  ['GatewaySubnet without the UDR', 'asymmetric-routing', input({ topology: estate((t) => { routeTable(t, ID.gatewayRoutes).routes = []; }) }), ['asymmetric_routing', 'gateway_subnet_missing_udr'], 'medium'],
  ['spoke BGP route bypasses the firewall', 'asymmetric-routing', input({ topology: estate((t) => { routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }) }), ['asymmetric_routing', 'spoke_bgp_route_bypasses_firewall'], 'medium'],
  ['spoke BGP bypass with INVALID rows at the firewall (the drop itself): high', 'asymmetric-routing', input({ topology: estate((t) => { routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }),
    evidence: [firewallLog({}), firewallLog({ kind: 'flow-trace', table: 'AZFWFlowTrace', flag: 'INVALID', action: 'Drop', rule: null, ruleCollection: null, ruleCollectionGroup: null })] }), ['asymmetric_routing', 'spoke_bgp_route_bypasses_firewall'], 'high'],
  ['half-flow: SYN-ACK in flow trace, no SYN in the rule logs', 'asymmetric-routing', input({ evidence: [firewallLog({ kind: 'flow-trace', table: 'AZFWFlowTrace', flag: 'SYN-ACK', sourceIp: IP.app, sourcePort: 3389, destinationIp: IP.branchHost, destinationPort: 50123, action: null })] }), ['asymmetric_routing'], 'high'],
  ['flow trace with the SYN in the rule logs: symmetric', 'asymmetric-routing', input({ evidence: [firewallLog({}), firewallLog({ kind: 'flow-trace', table: 'AZFWFlowTrace', flag: 'SYN-ACK', sourceIp: IP.app, sourcePort: 3389, destinationIp: IP.branchHost, destinationPort: 50123 })] }), []],
  ['both directions bypass the firewall', 'firewall-bypassed', input({ topology: estate((t) => { routeTable(t, ID.gatewayRoutes).routes = []; routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }) }), ['firewall_bypassed']],
  ['both directions pass the firewall: nothing', 'firewall-bypassed', input(), []],
  // transport and TLS
  ['RST to the SYN', 'tcp-refused', input({ evidence: [appCapture([conversation({ state: 'REJ', handshake: false, packets: { toServer: 1, toClient: 1 } })], [observation('tcp_refused')])] }), ['tcp_refused'], 'high'],
  ['ICMP port unreachable', 'tcp-refused', input({ evidence: [appCapture([conversation({ state: 'S0', handshake: false, icmp: [{ type: 3, code: 3, meaning: 'port unreachable', frame: 2 }] })], [observation('icmp_unreachable')])] }), ['tcp_refused'], 'high'],
  ['handshake completes: not refused', 'tcp-refused', input({ evidence: [appCapture([conversation({})])] }), []],
  ['SYNs reach the destination, nothing answers', 'tcp-no-response', input({ evidence: [appCapture([conversation({ state: 'S0', handshake: false, packets: { toServer: 3, toClient: 0 } })], [observation('syn_unanswered', [1, 2, 3])])] }), ['tcp_no_response'], 'high'],
  ['allowed at the destination NIC, no packet back', 'tcp-no-response', input({ evidence: [flowLog({ packetsDestinationToSource: 0 })] }), ['tcp_no_response'], 'medium'],
  ['unanswered SYNs seen only at the source cannot say where they die', 'tcp-no-response', input({ evidence: [capture(null, [conversation({ state: 'S0', handshake: false, packets: { toServer: 3, toClient: 0 } })], [observation('syn_unanswered')])] }), []],
  ['established connection reset', 'tcp-reset', input({ evidence: [appCapture([conversation({ state: 'RSTR', resetBy: 'server' })], [observation('tcp_reset')])] }), ['tcp_reset'], 'high'],
  ['no reset: nothing', 'tcp-reset', input({ evidence: [appCapture([conversation({})])] }), []],
  ['incomplete chain', 'tls-failure', input({ question: webQuestion, evidence: [capture(null, [conversation({ client: { ip: IP.app, port: 50123 }, server: { ip: '52.1.1.1', port: 443 }, tls: { version: '1.2', serverName: 'api.contoso.com', handshakeComplete: false, alerts: [], certificates: [certificate('CN=Contoso Issuing CA')], chain: 'incomplete' } })], [observation('tls_incomplete_chain')])] }), ['tls_incomplete_chain'], 'high'],
  ['client certificate required is a handshake failure', 'tls-failure', input({ question: webQuestion, evidence: [capture(null, [conversation({ client: { ip: IP.app, port: 50123 }, server: { ip: '52.1.1.1', port: 443 } })], [observation('tls_client_certificate_required')])] }), ['tls_handshake_failure'], 'high'],
  ['a certificate of the firewall\'s TLS-inspection CA is not the server\'s', 'tls-failure', input({ question: webQuestion, topology: estate((t) => { t.firewalls[0]!.tlsInspectionCaSubject = 'CN=Contoso Firewall Inspection CA'; }),
    evidence: [capture(null, [conversation({ client: { ip: IP.app, port: 50123 }, server: { ip: '52.1.1.1', port: 443 }, tls: { version: '1.2', serverName: 'api.contoso.com', handshakeComplete: false, alerts: [], certificates: [certificate('CN=Contoso Firewall Inspection CA')], chain: 'incomplete' } })], [observation('tls_incomplete_chain')])] }), ['tls_incomplete_chain'], 'medium'],
  ['TLS completes: nothing', 'tls-failure', input({ question: webQuestion, evidence: [capture(null, [conversation({ client: { ip: IP.app, port: 50123 }, server: { ip: '52.1.1.1', port: 443 } })])] }), []],
  ['handshake completes in the capture', 'path-ok', input({ evidence: [appCapture([conversation({})])] }), ['path_ok'], 'high'],
  ['Traffic Analytics shows packets both ways', 'path-ok', input({ evidence: [flowLog({})] }), ['path_ok'], 'medium'],
  ['Traffic Analytics at both ends shows packets both ways', 'path-ok', input({ evidence: [flowLog({ direction: 'outbound' }), flowLog({})] }), ['path_ok'], 'high'],
  ['a reset is not path ok', 'path-ok', input({ evidence: [appCapture([conversation({ state: 'RSTR', resetBy: 'server' })], [observation('tcp_reset')])] }), []],
  ['no evidence: not path ok', 'path-ok', input(), []],
  // application: SNAT and PaaS
  ['application rule SNAT seen by the vault', 'snat-source-changed', input({ question: vaultQuestion, evidence: [
    firewallLog({ kind: 'application', table: 'AZFWApplicationRule', sourceIp: IP.app, destinationIp: null, destinationPort: 443, fqdn: 'kv-app.vault.azure.net', protocol: 'HTTPS', ruleCollection: 'app-allow', rule: 'kv' }),
    vaultLog({ callerIp: '10.200.1.6', httpStatusCode: 403, isAddressAuthorized: false, resultSignature: 'Forbidden' })] }), ['snat_source_changed'], 'high'],
  ['no application rule: no SNAT', 'snat-source-changed', input({ question: vaultQuestion, evidence: [vaultLog({ callerIp: '10.200.1.6' })] }), []],
  ['vault firewall refuses the caller', 'paas-deny', input({ question: vaultQuestion, evidence: [vaultLog({ httpStatusCode: 403, isAddressAuthorized: false, resultSignature: 'Forbidden', resultDescription: 'Client address is not authorized and caller is not a trusted service.' })] }), ['paas_network_deny'], 'high'],
  ['vault RBAC refuses the caller', 'paas-deny', input({ question: vaultQuestion, evidence: [vaultLog({ httpStatusCode: 403, isAddressAuthorized: true, isRbacAuthorized: false, resultSignature: 'Forbidden', resultDescription: 'ForbiddenByRbac' })] }), ['paas_auth_deny'], 'high'],
  ['401 challenge followed by success is normal', 'paas-deny', input({ question: vaultQuestion, evidence: [vaultLog({ httpStatusCode: 401, resultSignature: 'Unauthorized' }), vaultLog({})] }), []],
  ['another caller\'s 403 is not this flow', 'paas-deny', input({ question: vaultQuestion, evidence: [vaultLog({ callerIp: '10.201.1.44', httpStatusCode: 403, isAddressAuthorized: false })] }), []],
  // DNS
  ['zone not linked to the caller\'s VNet', 'private-dns-zone-not-linked', input({ question: vaultQuestion }), ['private_dns_zone_not_linked'], 'medium'],
  ['zone linked to the caller\'s VNet', 'private-dns-zone-not-linked', input({ question: vaultQuestion, topology: estate((t) => { t.privateDnsZones[0]!.virtualNetworkLinks.push({ virtualNetworkId: ID.spoke, registrationEnabled: false }); }) }), []],
  ['custom DNS in the linked hub resolves for the spoke', 'private-dns-zone-not-linked', input({ question: vaultQuestion, topology: estate((t) => { t.virtualNetworks[1]!.dnsServers = ['10.200.2.4']; }) }), []],
  ['NXDOMAIN in the capture', 'dns-failure', input({ question: vaultQuestion, evidence: [capture(null, [conversation({ id: 'udp-0', protocol: 'udp', tcp: undefined, client: { ip: IP.app, port: 53000 }, server: { ip: '168.63.129.16', port: 53 }, dns: [{ name: 'kv-app.vault.azure.net', type: 'A', rcode: 'NXDOMAIN', answers: [] }] })])] }), ['dns_failure'], 'high'],
  ['SERVFAIL in the firewall DNS proxy', 'dns-failure', input({ question: vaultQuestion, evidence: [firewallLog({ kind: 'dns', table: 'AZFWDnsQuery', sourceIp: IP.app, queryName: 'kv-app.vault.azure.net.', responseCode: 'SERVFAIL', destinationIp: null, destinationPort: null })] }), ['dns_failure'], 'high'],
  ['name resolves: nothing', 'dns-failure', input({ question: vaultQuestion, evidence: [firewallLog({ kind: 'dns', table: 'AZFWDnsQuery', sourceIp: IP.app, queryName: 'kv-app.vault.azure.net', responseCode: 'NOERROR' })] }), []],
  // freshness and coverage
  ['window newer than the ingestion delay', 'logs-not-yet-ingested', input({ evidence: late }), ['logs_not_yet_ingested'], 'high'],
  ['window fully ingested', 'logs-not-yet-ingested', input({ evidence: covered }), []],
  ['destination VNet without flow logs', 'flow-log-coverage', input({ question: question({ source: IP.app, destination: IP.data, port: 443 }) }), ['flow_logs_not_enabled'], 'high'],
  ['only an NSG flow log', 'flow-log-coverage', input({ topology: estate((t) => { t.flowLogs[0] = { ...t.flowLogs[0]!, targetResourceId: ID.appNsg, targetKind: 'networkSecurityGroup' }; }) }), ['nsg_flow_logs_deprecated'], 'high'],
  ['VNet flow logs cover the destination', 'flow-log-coverage', input(), []],
  ['probe Connected through the firewall, application rules deny', 'firewall-probe-misleading', input({ question: webQuestion, evidence: [
    connectedProbe,
    firewallLog({ kind: 'application', table: 'AZFWApplicationRule', sourceIp: IP.app, destinationIp: null, destinationPort: 443, fqdn: 'api.contoso.com', protocol: 'HTTPS', action: 'Deny', actionReason: 'Default Action', rule: null, ruleCollection: null, ruleCollectionGroup: null })] }), ['firewall_probe_misleading'], 'high'],
  // A network rule drops the SYN itself: no probe connects through it, so the firewall does not explain a Connected probe.
  ['probe Connected, a network rule denies: not this reason', 'firewall-probe-misleading', input({ evidence: [connectedProbe, firewallLog({ action: 'Deny' })] }), []],
  ['probe Connected, logs allow: nothing', 'firewall-probe-misleading', input({ evidence: [
    { kind: 'connectivity-check', data: { connectionStatus: 'Connected', protocol: 'Tcp', probesSent: 10, probesFailed: 0, hops: [{ type: 'VirtualAppliance', address: IP.firewall, resourceId: ID.firewall, issues: [] }] } },
    firewallLog({})] }), []],
  // Flow trace: what the firewall saw come back
  ['flow trace: RST from the server to every passed SYN, no SYN-ACK', 'tcp-refused', input({ evidence: [firewallLog({}), trace('RST'), firewallLog({ sourcePort: 50124 }), trace('RST', 50124)] }), ['tcp_refused'], 'high'],
  ['flow trace: some connections refused, others answered', 'tcp-refused', input({ evidence: [firewallLog({}), trace('RST'), firewallLog({ sourcePort: 50124 }), trace('SYN-ACK', 50124)] }), ['tcp_refused'], 'medium'],
  ['flow trace: a RST after the SYN-ACK is a reset, not a refusal', 'tcp-refused', input({ evidence: [firewallLog({}), trace('SYN-ACK'), trace('RST')] }), []],
  ['flow trace: a RST from the client is not a refusal', 'tcp-refused', input({ evidence: [firewallLog({}), trace('RST', 50123, true)] }), []],
  ['Traffic Analytics counts a RST as a packet back: no path ok when the flow trace shows refusals', 'path-ok', input({ evidence: [flowLog({ packetsSourceToDestination: 1, packetsDestinationToSource: 1 }), firewallLog({}), trace('RST')] }), []],
  ['Traffic Analytics both ways, flow trace shows the handshake: path ok', 'path-ok', input({ evidence: [flowLog({}), firewallLog({}), trace('SYN-ACK'), trace('FIN', 50123, true)] }), ['path_ok'], 'medium'],
  // Certificates the client accepted stop nothing
  ['certificate not yet valid, but the handshake completes: no TLS failure', 'tls-failure', input({ question: webQuestion, evidence: [capture(null, [conversation({ client: { ip: IP.app, port: 50123 }, server: { ip: '52.1.1.1', port: 443 }, tls: { version: '1.2', serverName: 'api.contoso.com', handshakeComplete: true, alerts: [], certificates: [certificate('CN=Contoso Issuing CA')], chain: 'complete' } })], [observation('tls_expired')])] }), []],
  ['certificate not yet valid, handshake completes: the path works', 'path-ok', input({ evidence: [appCapture([conversation({ tls: { version: '1.2', serverName: null, handshakeComplete: true, alerts: [], certificates: [], chain: 'not-visible' } })], [observation('tls_expired')])] }), ['path_ok'], 'high'],
  // Freshness only of sources that could record the flow
  ['late firewall logs, but no firewall on the path (same VNet)', 'logs-not-yet-ingested', input({ question: question({ source: IP.app, destination: IP.endpoint, port: 443 }), evidence: [freshness('AZFWNetworkRule', '2026-11-12T14:20:00Z', 10)] }), []],
  ['late Traffic Analytics, but no flow log covers either end', 'logs-not-yet-ingested', input({ question: question({ destination: IP.data }), evidence: [freshness('NTANetAnalytics', '2026-11-12T13:50:00Z')] }), []],
  ['late Traffic Analytics where flow logs cover the destination', 'logs-not-yet-ingested', input({ evidence: [freshness('NTANetAnalytics', '2026-11-12T13:50:00Z')] }), ['logs_not_yet_ingested'], 'high'],
  // Default routes express egress policy, not inspection inside a VNet
  ['spokes peered directly: the peering route beats the 0.0.0.0/0 route to the firewall both ways', 'firewall-bypassed', input({ question: question({ source: IP.app, destination: IP.data, port: 443 }), topology: estate((t) => {
    t.virtualNetworks[1]!.peerings.push({ id: `${ID.spoke}/virtualNetworkPeerings/app-to-data`, name: 'app-to-data', virtualNetworkId: ID.spoke, remoteVirtualNetworkId: ID.data, state: 'Connected', allowVirtualNetworkAccess: true, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: false, remoteAddressPrefixes: ['10.202.0.0/16'] });
    t.virtualNetworks[2]!.peerings.push({ id: `${ID.data}/virtualNetworkPeerings/data-to-app`, name: 'data-to-app', virtualNetworkId: ID.data, remoteVirtualNetworkId: ID.spoke, state: 'Connected', allowVirtualNetworkAccess: true, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: false, remoteAddressPrefixes: ['10.201.0.0/16'] });
  }) }), ['firewall_bypassed']],
  ['a 0.0.0.0/0 route to the firewall losing to VnetLocal is not a bypass', 'firewall-bypassed', input({ question: question({ source: IP.app, destination: IP.endpoint, port: 443 }) }), []],
];

describe('each rule', () => {
  it.each(cases)('%s (%s)', (_description, name, ruleInput, codes, confidence) => {
    const findings = run(name, ruleInput);
    expect(findings.map((finding) => finding.code)).toEqual(codes);
    if (confidence !== undefined) expect(findings[0]?.confidence).toBe(confidence);
    for (const finding of findings) {
      const ids = new Set(ruleInput.evidence.map((item) => item.id));
      expect(finding.evidence.every((id) => ids.has(id))).toBe(true);
    }
  });

  it('an NSG rule logged by Traffic Analytics is named as the NSG holds it', () => {
    const findings = run('nsg-deny', input({ evidence: [flowLog({ status: 'denied', aclRule: 'UserRule_Deny-All-Inbound', packetsDestinationToSource: 0 })] }));
    expect(findings[0]?.blockedAt?.rule).toBe('Deny-All-Inbound');
  });

  it.each([
    ['claims JSON with a managed identity', '{"claim":{"oid":"o-1","appid":"a-1","xms_mirid":"/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"}}', 'the caller (managed identity id-orders, application id a-1, object id o-1)'],
    ['claims JSON of an application', '{"claim":{"oid":"o-2","appid":"a-2","xms_mirid":""}}', 'the caller (application id a-2, object id o-2)'],
    ['a plain name', 'orders-api', 'orders-api'],
  ])('names the refused identity in words: %s', (_name, identity, expected) => {
    const findings = run('paas-deny', input({ question: vaultQuestion, evidence: [vaultLog({ httpStatusCode: 403, isAddressAuthorized: true, isRbacAuthorized: false, resultSignature: 'Forbidden', identity })] }));
    expect(findings[0]?.nextSteps?.[0]).toBe(`Grant ${expected} the role or access policy for SecretGet on the vault.`);
  });

  it('a rule name logged in lower case (legacy NSG flow logs) is named as the NSG holds it', () => {
    const findings = run('nsg-deny', input({ evidence: [flowLog({ status: 'denied', aclGroup: ID.appNsg, aclRule: 'deny-all-inbound', packetsDestinationToSource: 0 })] }));
    expect(findings[0]?.blockedAt?.rule).toBe('Deny-All-Inbound');
  });

  it('a blackhole read from effective routes names the subnet\'s route table', () => {
    const findings = run('no-route', input({
      topology: estate((t) => { routeTable(t, ID.spokeRoutes).routes.push({ name: 'blackhole', addressPrefix: '192.168.0.0/16', nextHopType: 'None', nextHopIpAddress: null }); }),
      evidence: [effectiveRoutes(ID.appNic, [
        { addressPrefixes: ['10.201.0.0/16'], nextHopType: 'VnetLocal', nextHopIpAddresses: [], source: 'Default', state: 'Active', name: null },
        { addressPrefixes: ['0.0.0.0/0'], nextHopType: 'VirtualAppliance', nextHopIpAddresses: [IP.firewall], source: 'User', state: 'Active', name: 'default-via-firewall' },
        { addressPrefixes: ['192.168.0.0/16'], nextHopType: 'None', nextHopIpAddresses: [], source: 'User', state: 'Active', name: 'blackhole' },
      ])],
    }));
    expect(findings[0]?.blockedAt).toEqual({ component: 'route-table', resourceId: ID.spokeRoutes, name: 'rt-app', rule: 'blackhole' });
    expect(findings[0]?.nextSteps?.[0]).toContain('Delete route blackhole from rt-app');
    expect(findings[0]?.confidence).toBe('high');
  });

  it('every rule cites evidence it was given when it concludes from rows', () => {
    const findings = run('firewall-deny', input({ evidence: [firewallLog({}), firewallLog({ action: 'Deny', time: IN_WINDOW })] }));
    expect(findings[0]?.evidence).toEqual(['e2']);
  });

  it.each([
    ['policies off: the /32 wins forward, the endpoint returns through the firewall', 'Disabled', true, ['asymmetric_routing', 'private_endpoint_route_overrides_udr']],
    ['policies on: the /32 is invalid, both ways through the firewall', 'RouteTableEnabled', true, []],
    ['policies on but the endpoint subnet returns by BGP: asymmetric, no endpoint reason', 'RouteTableEnabled', false, ['asymmetric_routing']],
  ])('private endpoint: %s', (_name, policies, returnViaFirewall, codes) => {
    const topology = estate((t) => {
      subnet(t, ID.endpointSubnet).privateEndpointNetworkPolicies = policies;
      if (returnViaFirewall) {
        t.routeTables.push({ id: `${ID.spokeRoutes}-pe`, name: 'rt-pe', location: 'westeurope', disableBgpRoutePropagation: true,
          routes: [{ name: 'default-via-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall }] });
        subnet(t, ID.endpointSubnet).routeTableId = `${ID.spokeRoutes}-pe`;
      }
    });
    const findings = run('asymmetric-routing', input({ topology, question: question({ destination: IP.endpoint, port: 443 }) }));
    expect(findings.map((finding) => finding.code)).toEqual(codes);
    if (codes.includes('private_endpoint_route_overrides_udr')) expect(findings[0]?.nextSteps?.[0]).toContain('10.201.0.0/16');
  });
});

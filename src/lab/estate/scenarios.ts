/** The registry of built-in scenarios the builder regenerates. */
import type { Story } from './compose.js';
import { appRuleSnat } from './recipes/app-rule-snat.js';
import { appServiceKeyVaultDnsNotLinked } from './recipes/appservice-keyvault-dns-not-linked.js';
import { firewallAppRuleProbeMisleading } from './recipes/firewall-app-rule-probe-misleading.js';
import { firewallNetworkRuleDeny } from './recipes/firewall-network-rule-deny.js';
import { flowLogsNotYetIngested } from './recipes/flow-logs-not-yet-ingested.js';
import { gatewaySubnetMissingUdr } from './recipes/gateway-subnet-missing-udr.js';
import { privateEndpointRouteOverridesUdr } from './recipes/private-endpoint-route-overrides-udr.js';
import { tlsIncompleteChain } from './recipes/tls-incomplete-chain.js';
import { noRoute } from './recipes/no-route.js';
import { noFlowLogsEnabled } from './recipes/no-flow-logs-enabled.js';
import { nothingListening } from './recipes/nothing-listening.js';
import { nsgDenyBetweenSpokes } from './recipes/nsg-deny-between-spokes.js';
import { coverageMixedEstate } from './recipes/coverage-mixed-estate.js';
import { keyVaultAuthDeny } from './recipes/keyvault-auth-deny.js';
import { dnsFailure } from './recipes/dns-failure.js';
import { pathOk } from './recipes/path-ok.js';
import { tcpReset } from './recipes/tcp-reset.js';
import { spokeBgpBypassesFirewall } from './recipes/spoke-bgp-bypasses-firewall.js';
import { firewallBypassed } from './recipes/firewall-bypassed.js';
import { nsgFlowLogsOnly } from './recipes/nsg-flow-logs-only.js';
import { firewallThreatIntelDeny } from './recipes/firewall-threat-intel-deny.js';
import { firewallIdpsDeny } from './recipes/firewall-idps-deny.js';
import { nextHopInvalid } from './recipes/next-hop-invalid.js';
import { peeringNotConnected } from './recipes/peering-not-connected.js';
import { peeringBlocksTransit } from './recipes/peering-blocks-transit.js';
import { tcpNoResponse } from './recipes/tcp-no-response.js';
import { tlsSelfSigned } from './recipes/tls-self-signed.js';
import { tlsExpired } from './recipes/tls-expired.js';
import { tlsHostnameMismatch } from './recipes/tls-hostname-mismatch.js';
import { tlsProtocolMismatch } from './recipes/tls-protocol-mismatch.js';
import { tlsClientCertRequired } from './recipes/tls-client-cert-required.js';

/** Every built scenario, in the order of the brief. `rdp-remote-site` is a verbatim copy of the shared example and is not rebuilt. */
export const STORIES: (() => Story)[] = [nsgDenyBetweenSpokes, firewallNetworkRuleDeny, firewallAppRuleProbeMisleading, gatewaySubnetMissingUdr, privateEndpointRouteOverridesUdr, appRuleSnat, appServiceKeyVaultDnsNotLinked, tlsIncompleteChain, nothingListening, flowLogsNotYetIngested, noFlowLogsEnabled, noRoute,
  firewallThreatIntelDeny, firewallIdpsDeny, nextHopInvalid, peeringNotConnected, peeringBlocksTransit, tcpNoResponse, tlsSelfSigned, tlsExpired, tlsHostnameMismatch, tlsProtocolMismatch, tlsClientCertRequired,
  keyVaultAuthDeny, dnsFailure, pathOk, tcpReset, spokeBgpBypassesFirewall, firewallBypassed, nsgFlowLogsOnly,
  coverageMixedEstate];

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

/** Every built scenario, in the order of the brief. `rdp-remote-site` is a verbatim copy of the shared example and is not rebuilt. */
export const STORIES: (() => Story)[] = [nsgDenyBetweenSpokes, firewallNetworkRuleDeny, firewallAppRuleProbeMisleading, gatewaySubnetMissingUdr, privateEndpointRouteOverridesUdr, appRuleSnat, appServiceKeyVaultDnsNotLinked, tlsIncompleteChain, nothingListening, flowLogsNotYetIngested, noFlowLogsEnabled, noRoute];

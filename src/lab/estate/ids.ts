/** Resource ids of the estate, built one way everywhere so they always resolve. */
import type { EstateSpec, VmSpec } from './model.js';

/** Builds resource ids for one subscription. */
export class Ids {
  constructor(readonly subscriptionId: string) {}

  /** `/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{path}`. */
  resource(resourceGroup: string, provider: string, path: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${path}`;
  }

  network(resourceGroup: string, path: string): string {
    return this.resource(resourceGroup, 'Microsoft.Network', path);
  }

  vnet(estate: EstateSpec, name: string): string {
    return this.network(resourceGroupOfVnet(estate, name), `virtualNetworks/${name}`);
  }

  subnet(estate: EstateSpec, vnet: string, subnet: string): string {
    return `${this.vnet(estate, vnet)}/subnets/${subnet}`;
  }

  nsg(estate: EstateSpec, name: string): string {
    const nsg = estate.nsgs.find((candidate) => candidate.name === name);
    if (!nsg) throw new Error(`unknown NSG ${name}`);
    return this.network(nsg.resourceGroup, `networkSecurityGroups/${name}`);
  }

  routeTable(estate: EstateSpec, name: string): string {
    const table = estate.routeTables.find((candidate) => candidate.name === name);
    if (!table) throw new Error(`unknown route table ${name}`);
    return this.network(table.resourceGroup, `routeTables/${name}`);
  }

  nic(vm: VmSpec): string {
    return this.network(vm.resourceGroup, `networkInterfaces/nic-${vm.name}`);
  }

  vm(vm: VmSpec): string {
    return this.resource(vm.resourceGroup, 'Microsoft.Compute', `virtualMachines/${vm.name}`);
  }

  workspace(estate: EstateSpec): string {
    return this.resource(estate.monitorResourceGroup, 'Microsoft.OperationalInsights', `workspaces/${estate.workspaceName}`);
  }

  firewall(estate: EstateSpec): string {
    return this.network(estate.firewall.resourceGroup, `azureFirewalls/${estate.firewall.name}`);
  }

  firewallPolicy(estate: EstateSpec): string {
    return this.network(estate.firewall.resourceGroup, `firewallPolicies/${estate.firewall.policyName}`);
  }

  gateway(estate: EstateSpec): string {
    return this.network(estate.gateway.resourceGroup, `virtualNetworkGateways/${estate.gateway.name}`);
  }

  localGateway(estate: EstateSpec): string {
    return this.network(estate.gateway.resourceGroup, `localNetworkGateways/${estate.gateway.localGatewayName}`);
  }

  connection(estate: EstateSpec): string {
    return this.network(estate.gateway.resourceGroup, `connections/${estate.gateway.connectionName}`);
  }

  networkWatcher(estate: EstateSpec): string {
    return this.network('NetworkWatcherRG', `networkWatchers/NetworkWatcher_${estate.organisation.location}`);
  }

  flowLogName(vnetName: string, resourceGroup: string): string {
    return `${vnetName}-${resourceGroup}-flowlog`.slice(0, 80);
  }

  flowLog(estate: EstateSpec, vnetName: string): string {
    return `${this.networkWatcher(estate)}/flowLogs/${this.flowLogName(vnetName, resourceGroupOfVnet(estate, vnetName))}`;
  }

  storage(resourceGroup: string, name: string): string {
    return this.resource(resourceGroup, 'Microsoft.Storage', `storageAccounts/${name}`);
  }
}

/** The resource group of a VNet by name. */
export function resourceGroupOfVnet(estate: EstateSpec, name: string): string {
  const vnet = estate.vnets.find((candidate) => candidate.name === name);
  if (!vnet) throw new Error(`unknown VNet ${name}`);
  return vnet.resourceGroup;
}

/** Azure's `_ResourceId` column: the resource id in lower case. */
export function lowerId(id: string): string {
  return id.toLowerCase();
}

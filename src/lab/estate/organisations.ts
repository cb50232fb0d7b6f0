/** The fictional organisations the built-in scenarios use, a different one every few stories. */
import { standardEstate, type Base } from './base.js';
import type { Organisation } from './model.js';
import { guidV4For } from './random.js';

/** Keys of the organisations. */
export type OrganisationKey = 'fabrikam' | 'northwind' | 'tailwind' | 'woodgrove';

function organisation(key: OrganisationKey, fields: Omit<Organisation, 'subscriptionId' | 'tenantId' | 'workspaceId'>): Organisation {
  return { ...fields, subscriptionId: guidV4For(`${key}:subscription`), tenantId: guidV4For(`${key}:tenant`), workspaceId: guidV4For(`${key}:workspace`) };
}

const ORGANISATIONS: Record<OrganisationKey, Organisation> = {
  fabrikam: organisation('fabrikam', { prefix: 'fab', displayName: 'Fabrikam Retail (fictional)', location: 'westeurope', region: 'weu', domain: 'corp.fabrikam-retail.example', mailDomain: 'fabrikam-retail.example', adminUsername: 'fabadmin' }),
  northwind: organisation('northwind', { prefix: 'nwt', displayName: 'Northwind Traders (fictional)', location: 'uksouth', region: 'uks', domain: 'corp.northwind-traders.example', mailDomain: 'northwind-traders.example', adminUsername: 'nwtadmin' }),
  tailwind: organisation('tailwind', { prefix: 'twl', displayName: 'Tailwind Logistics (fictional)', location: 'australiaeast', region: 'aue', domain: 'corp.tailwind-logistics.example', mailDomain: 'tailwind-logistics.example', adminUsername: 'twladmin' }),
  woodgrove: organisation('woodgrove', { prefix: 'wgh', displayName: 'Woodgrove Health (fictional)', location: 'centralus', region: 'cus', domain: 'corp.woodgrove-health.example', mailDomain: 'woodgrove-health.example', adminUsername: 'wghadmin' }),
};

/** The standard estate of an organisation, deployed and connected at the given times. */
export function baseFor(key: OrganisationKey, times: { deployed: string; connectedSince: string }): Base {
  const org = ORGANISATIONS[key];
  switch (key) {
    case 'fabrikam':
      return standardEstate({ organisation: org, octets: { hub: 40, app: 41, data: 42 }, firewallPublicIp: '20.103.88.41', gatewayPublicIp: '20.103.88.17', ...times,
        onPrem: { site: 'ams-dc', prefixes: ['172.20.0.0/14'], gatewayIp: '198.51.100.62', domainControllers: ['172.20.1.10', '172.20.1.11'], itPrefix: '172.20.20.0/24', itHosts: ['172.20.20.31', '172.20.20.37'], userHosts: ['172.21.10.5', '172.21.10.52', '172.21.10.118', '172.21.11.24', '172.21.11.9'], monitoringHost: '172.20.30.15' } });
    case 'northwind':
      return standardEstate({ organisation: org, octets: { hub: 60, app: 61, data: 62 }, firewallPublicIp: '51.142.17.201', gatewayPublicIp: '51.142.17.86', ...times,
        onPrem: { site: 'manchester', prefixes: ['10.128.0.0/13'], gatewayIp: '203.0.113.145', domainControllers: ['10.128.1.10', '10.128.1.11'], itPrefix: '10.129.20.0/24', itHosts: ['10.129.20.14', '10.129.20.141'], userHosts: ['10.130.4.21', '10.130.4.211', '10.130.5.7', '10.130.5.70'], monitoringHost: '10.129.30.15' } });
    case 'tailwind':
      return standardEstate({ organisation: org, octets: { hub: 80, app: 81, data: 82 }, firewallPublicIp: '20.211.64.73', gatewayPublicIp: '20.211.64.19', ...times,
        onPrem: { site: 'sydney-dc', prefixes: ['192.168.0.0/17'], gatewayIp: '198.51.100.201', domainControllers: ['192.168.1.10', '192.168.1.11'], itPrefix: '192.168.20.0/24', itHosts: ['192.168.20.11', '192.168.20.110'], userHosts: ['192.168.40.23', '192.168.40.230', '192.168.41.8', '192.168.41.80'], monitoringHost: '192.168.30.15' } });
    case 'woodgrove':
      return standardEstate({ organisation: org, octets: { hub: 20, app: 21, data: 22 }, firewallPublicIp: '52.165.201.44', gatewayPublicIp: '52.165.201.9', ...times,
        onPrem: { site: 'desmoines', prefixes: ['172.24.0.0/16'], gatewayIp: '192.0.2.77', domainControllers: ['172.24.1.10', '172.24.1.11'], itPrefix: '172.24.20.0/24', itHosts: ['172.24.20.6', '172.24.20.61'], userHosts: ['172.24.50.12', '172.24.50.120', '172.24.51.3', '172.24.51.33'], monitoringHost: '172.24.30.15' } });
  }
}

/**
 * next-hop-invalid: the app spoke reaches a partner network through a
 * third-party NVA in the hub (route partner-via-nva); an auto-shutdown schedule
 * deallocated the NVA at 19:00 UTC yesterday, so the route's next hop holds no
 * running appliance and the host drops the packets.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { guidFor } from '../random.js';
import { addVm, standardExtend } from './common.js';

/** The story. */
export function nextHopInvalid(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-12-03T22:05:41Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const hub = estate.vnets.find((vnet) => vnet.name === base.names.hub);
  hub?.subnets.push({ name: 'snet-nva', prefix: '10.20.3.0/24' });
  const nvaIp = '10.20.3.4';
  addVm(base, { name: 'vm-nva-partner01', resourceGroup: base.names.connectivityRg, vnet: base.names.hub, subnet: 'snet-nva', privateIp: nvaIp, os: 'Linux', size: 'Standard_D2s_v5', zone: '1', workload: 'partner-vpn', created: '2026-09-08T11:20:52.3391047+00:00', powerState: 'deallocated', enableIpForwarding: true });
  const table = estate.routeTables.find((candidate) => candidate.name === 'wgh-app-spoke-rt');
  table?.routes.push({ name: 'partner-via-nva', prefix: '10.250.0.0/16', nextHopType: 'VirtualAppliance', nextHopIp: nvaIp });
  const nva = estate.vms.find((vm) => vm.name === 'vm-nva-partner01');
  if (!nva) throw new Error('vm-nva-partner01 missing');
  const scheduleId = `/subscriptions/${estate.organisation.subscriptionId}/resourceGroups/${nva.resourceGroup}/providers/microsoft.devtestlab/schedules/shutdown-computevm-${nva.name}`;
  const sftp = { kind: 'private' as const, ip: '10.250.4.20' };
  const now = '2026-12-04T08:50:00Z';
  return {
    name: 'next-hop-invalid',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium. Claims files go to the clearing house\'s SFTP server 10.250.4.20 over an IPsec tunnel that a third-party NVA, vm-nva-partner01 (10.20.3.4 in the hub\'s snet-nva, IP forwarding on), terminates; the app spoke\'s route table sends 10.250.0.0/16 to it (partner-via-nva). A contractor enabled an auto-shutdown schedule (19:00 UTC daily) on the NVA last week while testing; it has been deallocated since 19:00 UTC yesterday. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: sftp, protocol: 'TCP', port: 22, perHour: 2, packets: [3, 6] },
      { source: { kind: 'vm', name: 'vm-app02' }, destination: sftp, protocol: 'TCP', port: 22, perHour: 2, packets: [3, 6] },
    ],
    extraResources: [{
      id: scheduleId, name: `shutdown-computevm-${nva.name}`, type: 'microsoft.devtestlab/schedules', location: estate.organisation.location,
      properties: { status: 'Enabled', taskType: 'ComputeVmShutdownTask', dailyRecurrence: { time: '1900' }, timeZoneId: 'UTC', notificationSettings: { status: 'Disabled', timeInMinutes: 30, notificationLocale: 'en' }, createdDate: '2026-11-27T15:02:11.4411093+00:00', targetResourceId: ids.vm(nva), provisioningState: 'Succeeded', uniqueIdentifier: guidFor(`schedule:${nva.name}`) },
    }],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t vm-app01 connect to the clearing house SFTP server 10.250.4.20 on port 22 since last night?',
      status: 'failing', layer: 'path', cause: 'next_hop_invalid', contributing: [], blockedAt: { component: 'route-table' },
      rationale: 'Window: since about 19:00 UTC on 2026-12-03; now is 08:50 UTC on 2026-12-04, so the history (from 20:50) and Traffic Analytics (10 minutes) cover the night. nic-vm-app01\'s effective routes hold the user route partner-via-nva, 10.250.0.0/16, next hop VirtualAppliance 10.20.3.4, Active; it beats the 0.0.0.0/0 route to the firewall by longest prefix, so Network Watcher\'s next hop for 10.21.2.4 -> 10.250.4.20 is VirtualAppliance 10.20.3.4 via wgh-app-spoke-rt. 10.20.3.4 is the NIC of vm-nva-partner01 (IP forwarding on), but the VM\'s power state is PowerState/deallocated and a microsoft.devtestlab/schedules resource (shutdown-computevm-vm-nva-partner01, daily 19:00 UTC, Enabled) targets it: no running appliance holds the next hop, so the host drops the packets. Consistent with that, NTANetAnalytics at nic-vm-app01 (and nic-vm-app02) shows the SSH attempts outbound, allowed by DefaultRule_AllowVnetOutBound (the VirtualNetwork tag includes the prefixes of the subnet\'s user routes, 10.250.0.0/16 among them), with packets out and none back, and the firewall has no row for 10.250.4.20 at all: the flow never reaches it. The deallocated VM has no effective routes or rules to read. Cause next_hop_invalid at route-table (wgh-app-spoke-rt, route partner-via-nva), confidence high: an Active effective route to an appliance whose VM is deallocated, both read from Azure. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: start vm-nva-partner01 and delete the auto-shutdown schedule; for resilience, run two NVA instances behind an internal load balancer and point the route at its frontend.',
    },
  };
}

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLabClients, FAULT_HEADER, ManualClock, startLab, type Lab, type LabClients } from '../../src/lab/index.js';

const example = JSON.parse(readFileSync('test/fixtures/scenarios/example-rdp-remote-site/scenario.json', 'utf8')) as Record<string, unknown> & {
  resources: Record<string, unknown>[];
};
const subscription = '/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4';
const vmApp01 = `${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Compute/virtualMachines/vm-app01`;
const vmBare = `${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Compute/virtualMachines/vm-bare01`;
const scaleSet = `${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web`;
const gateway = `${subscription}/resourceGroups/ctd-connectivity-rg/providers/Microsoft.Network/virtualNetworkGateways/ctd-hub-eus2-vgw`;
const storageId = `${subscription}/resourceGroups/ctd-monitor-rg/providers/Microsoft.Storage/storageAccounts/ctdflowlogseus2`;
const captureFile = 'test/fixtures/capture/tcp_refused.pcap';
const gatewayFile = 'test/fixtures/capture/tcp_ok.pcap';

let folder: string;
let lab: Lab;
let clients: LabClients;
const clock = new ManualClock();

beforeAll(async () => {
  // The example scenario, plus capture files and two targets: a VM without the extension, a scale set with it.
  folder = mkdtempSync(join(tmpdir(), 'netproof-lab-capture-'));
  mkdirSync(join(folder, 'captures'));
  copyFileSync(captureFile, join(folder, 'captures', 'app01.pcap'));
  copyFileSync(gatewayFile, join(folder, 'captures', 'gateway.pcap'));
  const scenario = {
    ...example,
    resources: [
      ...example.resources,
      { id: vmBare, name: 'vm-bare01', type: 'Microsoft.Compute/virtualMachines', location: 'eastus2', properties: {} },
      {
        id: scaleSet,
        name: 'vmss-web',
        type: 'Microsoft.Compute/virtualMachineScaleSets',
        location: 'eastus2',
        properties: {
          virtualMachineProfile: {
            extensionProfile: { extensions: [{ name: 'nw', properties: { publisher: 'Microsoft.Azure.NetworkWatcher', type: 'NetworkWatcherAgentLinux' } }] },
          },
        },
      },
    ],
    packetCaptures: [
      { target: vmApp01, file: 'captures/app01.pcap', runningForInSeconds: 60 },
      { target: scaleSet, file: 'captures/app01.pcap' },
      { target: gateway, file: 'captures/gateway.pcap' },
    ],
  };
  writeFileSync(join(folder, 'scenario.json'), JSON.stringify(scenario));
  lab = await startLab({ scenarios: [folder], clock });
  clients = createLabClients(lab, { retryOptions: { maxRetries: 0 } });
});
afterAll(async () => {
  await lab?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});
afterEach(() => lab.clearFaults());

async function readBlob(container: string, name: string): Promise<Buffer> {
  return clients.blob!.getContainerClient(container).getBlobClient(name).downloadToBuffer();
}

const watcher = ['NetworkWatcherRG', 'NetworkWatcher_eastus2'] as const;

describe('Network Watcher packet capture lifecycle into Azurite', () => {
  it('runs for its lab time, stops by itself and writes the scenario capture to the storage path', async () => {
    const created = await clients.network.packetCaptures.create(...watcher, 'pc-app01', {
      target: vmApp01,
      timeLimitInSeconds: 600,
      storageLocation: { storageId, storagePath: 'https://ctdflowlogseus2.blob.core.windows.net/captures/app01/pc-app01.cap' },
    });
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.target).toBe(vmApp01);
    expect((await clients.network.packetCaptures.getStatus(...watcher, 'pc-app01')).packetCaptureStatus).toBe('Running');
    clock.advance(30_000);
    expect((await clients.network.packetCaptures.getStatus(...watcher, 'pc-app01')).packetCaptureStatus).toBe('Running');
    await expect(readBlob('captures', 'app01/pc-app01.cap')).rejects.toMatchObject({ statusCode: 404 });
    clock.advance(31_000);
    const status = await clients.network.packetCaptures.getStatus(...watcher, 'pc-app01');
    expect(status).toMatchObject({ packetCaptureStatus: 'Stopped', stopReason: 'TimeExceeded', packetCaptureError: [] });
    expect((await readBlob('captures', 'app01/pc-app01.cap')).equals(readFileSync(captureFile))).toBe(true);
  });

  it('stops on request and writes the file; lists and deletes', async () => {
    await clients.network.packetCaptures.create(...watcher, 'pc-manual', {
      target: vmApp01,
      storageLocation: { storagePath: 'https://ctdflowlogseus2.blob.core.windows.net/captures/manual.cap' },
    });
    await clients.network.packetCaptures.stop(...watcher, 'pc-manual');
    expect(await clients.network.packetCaptures.getStatus(...watcher, 'pc-manual')).toMatchObject({ packetCaptureStatus: 'Stopped', stopReason: 'Manual' });
    expect((await readBlob('captures', 'manual.cap')).equals(readFileSync(captureFile))).toBe(true);
    const names: string[] = [];
    for await (const capture of clients.network.packetCaptures.list(...watcher)) names.push(capture.name ?? '');
    expect(names).toContain('pc-manual');
    await clients.network.packetCaptures.delete(...watcher, 'pc-manual');
    await expect(clients.network.packetCaptures.get(...watcher, 'pc-manual')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('captures a scale set (targetType AzureVMSS)', async () => {
    await clients.network.packetCaptures.create(...watcher, 'pc-vmss', {
      target: scaleSet,
      targetType: 'AzureVMSS',
      scope: { include: ['0'], exclude: [] },
      storageLocation: { storagePath: 'https://ctdflowlogseus2.blob.core.windows.net/captures/vmss.cap' },
    });
    const capture = await clients.network.packetCaptures.get(...watcher, 'pc-vmss');
    expect(capture).toMatchObject({ targetType: 'AzureVMSS', scope: { include: ['0'], exclude: [] } });
    await clients.network.packetCaptures.stop(...watcher, 'pc-vmss');
    expect((await readBlob('captures', 'vmss.cap')).length).toBe(readFileSync(captureFile).length);
  });

  it('refuses a target without the AzureNetworkWatcherExtension', async () => {
    await expect(
      clients.network.packetCaptures.create(...watcher, 'pc-bare', { target: vmBare, storageLocation: { storageId } }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'AzureNetworkWatcherExtensionNotInstalled' });
  });

  it('fault extension-missing refuses even a VM that has it', async () => {
    lab.injectFault({ target: 'packetCapture', kind: 'extension-missing' });
    await expect(clients.network.packetCaptures.create(...watcher, 'pc-x', { target: vmApp01, storageLocation: { storageId } })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('fault capture-limit refuses a new capture', async () => {
    lab.injectFault({ target: 'packetCapture', kind: 'capture-limit', match: { operation: 'create' } });
    await expect(clients.network.packetCaptures.create(...watcher, 'pc-y', { target: vmApp01, storageLocation: { storageId } })).rejects.toMatchObject({
      statusCode: 400,
      code: 'PacketCaptureLimitReached',
    });
  });

  it('fault capture-failure: the capture ends in Error with CaptureFailed', async () => {
    await clients.network.packetCaptures.create(
      ...watcher,
      'pc-fail',
      { target: vmApp01, storageLocation: { storageId } },
      { requestOptions: { headers: { [FAULT_HEADER]: JSON.stringify({ target: 'packetCapture', kind: 'capture-failure' }) } } },
    );
    expect(await clients.network.packetCaptures.getStatus(...watcher, 'pc-fail')).toMatchObject({ packetCaptureStatus: 'Error', packetCaptureError: ['CaptureFailed'] });
  });

  it('fault storage-forbidden: stopping cannot write, so the capture ends in Error with StorageFailed', async () => {
    lab.injectFault({ target: 'packetCapture', kind: 'storage-forbidden', match: { operation: 'create' } });
    await clients.network.packetCaptures.create(...watcher, 'pc-storage', {
      target: vmApp01,
      storageLocation: { storagePath: 'https://ctdflowlogseus2.blob.core.windows.net/captures/forbidden.cap' },
    });
    await clients.network.packetCaptures.stop(...watcher, 'pc-storage');
    expect(await clients.network.packetCaptures.getStatus(...watcher, 'pc-storage')).toMatchObject({ packetCaptureStatus: 'Error', packetCaptureError: ['StorageFailed'] });
    await expect(readBlob('captures', 'forbidden.cap')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('derives the storage path from the account when only storageId is given', async () => {
    const created = await clients.network.packetCaptures.create(...watcher, 'pc-default', { target: vmApp01, storageLocation: { storageId } });
    expect(created.storageLocation?.storagePath).toMatch(
      /^https:\/\/ctdflowlogseus2\.blob\.core\.windows\.net\/network-watcher-logs\/subscriptions\/.+\/virtualmachines\/vm-app01\/\d{4}\/\d{2}\/\d{2}\/packetcapture_.+\.cap$/,
    );
    await clients.network.packetCaptures.stop(...watcher, 'pc-default');
  });
});

describe('VPN gateway packet capture', () => {
  it('starts, then stops into the SAS container', async () => {
    const started = await clients.network.virtualNetworkGateways.startPacketCapture('ctd-connectivity-rg', 'ctd-hub-eus2-vgw', { parameters: { filterData: '{}' } });
    expect(JSON.parse(String(started.body))).toEqual({ Status: 'Successful', Data: null });
    await expect(clients.network.virtualNetworkGateways.startPacketCapture('ctd-connectivity-rg', 'ctd-hub-eus2-vgw')).rejects.toMatchObject({ statusCode: 400 });
    await clients.network.virtualNetworkGateways.stopPacketCapture('ctd-connectivity-rg', 'ctd-hub-eus2-vgw', {
      sasUrl: 'https://ctdflowlogseus2.blob.core.windows.net/gateway-captures?sv=2024-01-01&sig=lab',
    });
    const blobs: string[] = [];
    for await (const blob of clients.blob!.getContainerClient('gateway-captures').listBlobsFlat()) blobs.push(blob.name);
    expect(blobs).toEqual([expect.stringMatching(/^ctd-hub-eus2-vgw_IN_0_\d{8}T\d{6}\.pcap$/)]);
    expect((await readBlob('gateway-captures', blobs[0]!)).equals(readFileSync(gatewayFile))).toBe(true);
  });
});

/**
 * Packet capture cards (Adaptive Card 1.5): the confirmation that states exactly what
 * will happen before anything starts (target, filters, duration, byte limit, storage,
 * cost and privacy), the progress of a running job with its stop button, and a failure
 * with what to do.
 */
import type { CaptureJob, CapturePlan } from '../capture-jobs/job.js';
import { capCard, trimText, type AdaptiveCard } from './adaptive-card.js';

/** What a capture card's buttons ask the bot to do (the `value` of the submit). */
export type CaptureCardAction =
  | { action: 'captureConfirm'; jobId: string }
  | { action: 'captureCancel'; jobId: string }
  | { action: 'captureStop'; jobId: string };

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/** Said on every confirmation: what a capture costs and what it records. */
export const CAPTURE_COST_AND_PRIVACY_NOTE = 'Cost and privacy: the capture writes to the storage account above (storage and transactions are billed to its subscription). '
  + 'It records the packets that match the filters, payloads included: unencrypted traffic (credentials, personal data) can be read by anyone with access to that account. '
  + 'Delete the file when the investigation is over.';

function card(body: unknown[], actions: unknown[] = []): AdaptiveCard {
  const result: AdaptiveCard = { type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, msteams: { width: 'Full' } };
  if (actions.length > 0) result.actions = actions;
  return capCard(result);
}

function textBlock(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextBlock', text: trimText(text, 2_000), wrap: true, ...extra };
}

function facts(entries: [string, string][]): Record<string, unknown> {
  return { type: 'FactSet', facts: entries.map(([title, value]) => ({ title: trimText(title, 60), value: trimText(value, 600) })) };
}

/** "2 min", "90 s", "1 h 30 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60 || seconds % 60 !== 0) return `${seconds} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** "100 MiB", "512 KiB", "1.5 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The filters in words. */
export function describeFilters(plan: CapturePlan): string {
  if (plan.kind === 'vpn-gateway') return plan.filterData ? `gateway filter ${plan.filterData}` : 'all traffic through the gateway';
  if (plan.filters.length === 0) return 'all traffic of the target';
  return plan.filters.map((filter) => {
    const local = [filter.localIPAddress ?? 'any local address', filter.localPort ? `port ${filter.localPort}` : null].filter(Boolean).join(' ');
    const remote = [filter.remoteIPAddress ?? 'any remote address', filter.remotePort ? `port ${filter.remotePort}` : null].filter(Boolean).join(' ');
    return `${filter.protocol === 'Any' ? 'any protocol' : filter.protocol}: ${local} <-> ${remote}`;
  }).join('; ');
}

function targetLine(plan: CapturePlan): string {
  const kind = plan.targetType === 'AzureVMSS' ? 'scale set (all instances)' : plan.targetType === 'VirtualNetworkGateway' ? 'VPN gateway' : 'VM';
  return `${plan.targetName} (${kind}, ${plan.region})`;
}

function storageLine(plan: CapturePlan): string {
  const why = plan.storage.chosenBy === 'configured' ? 'configured in NETPROOF_CAPTURE_STORAGE_ID' : `the first storage account in ${plan.region}; set NETPROOF_CAPTURE_STORAGE_ID to choose another`;
  return `${plan.storage.accountName} (${why}): ${plan.storage.storagePath}`;
}

/** Options of the confirmation card. */
export interface ConfirmationCardOptions {
  /** Who may confirm, in words ("a capture approver (NETPROOF_CAPTURE_APPROVERS)"). */
  whoMayConfirm: string;
  /** A line for the lab ("This is the lab: nothing real is captured."). */
  notice?: string | null;
}

/** The confirmation: exactly what will happen, and Confirm / Cancel. */
export function captureConfirmationCard(job: CaptureJob, options: ConfirmationCardOptions): AdaptiveCard {
  const { plan } = job;
  const how = plan.kind === 'vpn-gateway'
    ? 'Starts a VPN gateway packet capture, stops it after the duration with a SAS URL to the storage container, then analyses the file.'
    : `Creates Network Watcher packet capture ${plan.captureName} with a time limit, stops it when the time is up, then analyses the file.`;
  const body: unknown[] = [
    textBlock('Packet capture: confirm before anything starts', { size: 'Medium', weight: 'Bolder' }),
    textBlock(how),
    facts([
      ['Target', targetLine(plan)],
      ...(plan.networkWatcherId ? [['Network Watcher', plan.networkWatcherId.split('/').pop() ?? plan.networkWatcherId] as [string, string]] : []),
      ['Filters', describeFilters(plan)],
      ['Duration', formatDuration(plan.durationInSeconds)],
      ['Byte limit', `${formatBytes(plan.totalBytes)} in total, whole packets`],
      ['Storage', storageLine(plan)],
      ['Afterwards', `the file is analysed and "${plan.question}" is diagnosed again with it as evidence, in this thread`],
      ['Requested by', job.requestedBy.name ?? job.requestedBy.aadObjectId ?? 'unknown'],
      ['May confirm', options.whoMayConfirm],
    ]),
    ...plan.notes.map((note) => textBlock(note, { isSubtle: true, size: 'Small' })),
    textBlock(CAPTURE_COST_AND_PRIVACY_NOTE, { size: 'Small', color: 'warning' }),
  ];
  if (options.notice) body.push(textBlock(options.notice, { isSubtle: true, size: 'Small' }));
  return card(body, [
    { type: 'Action.Submit', title: 'Confirm and start the capture', style: 'positive', data: { action: 'captureConfirm', jobId: job.id } satisfies CaptureCardAction },
    { type: 'Action.Submit', title: 'Cancel', data: { action: 'captureCancel', jobId: job.id } satisfies CaptureCardAction },
  ]);
}

const STATE_WORDS: Record<CaptureJob['state'], string> = {
  'pending-confirmation': 'waiting for confirmation',
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  collecting: 'collecting the file',
  analysing: 'analysing',
  done: 'done',
  failed: 'failed',
  expired: 'not started',
};

/** Progress of a job: where it stands, when it stops, and a stop button while it runs. */
export function captureProgressCard(job: CaptureJob, line: string): AdaptiveCard {
  const { plan } = job;
  const body: unknown[] = [
    textBlock(`Packet capture ${plan.captureName}: ${STATE_WORDS[job.state]}`, { weight: 'Bolder' }),
    textBlock(line),
    facts([
      ['Target', targetLine(plan)],
      ['Filters', describeFilters(plan)],
      ...(job.startedAt ? [['Started', job.startedAt] as [string, string]] : []),
      ...(job.stopAt ? [['Stops at', job.stopAt] as [string, string]] : []),
      ...(job.confirmedBy ? [['Confirmed by', job.confirmedBy.name ?? job.confirmedBy.aadObjectId ?? 'unknown'] as [string, string]] : []),
    ]),
  ];
  const actions = job.state === 'running' || job.state === 'starting'
    ? [{ type: 'Action.Submit', title: 'Stop the capture', data: { action: 'captureStop', jobId: job.id } satisfies CaptureCardAction }]
    : [];
  return card(body, actions);
}

/** A failed job: what went wrong, what happened to the capture, what to do. */
export function captureFailureCard(job: CaptureJob): AdaptiveCard {
  const failure = job.failure;
  return card([
    textBlock(`Packet capture ${job.plan.captureName} failed`, { weight: 'Bolder', color: 'attention' }),
    textBlock(failure?.message ?? 'The capture failed.'),
    facts([
      ['Target', targetLine(job.plan)],
      ['What to do', failure?.whatToDo ?? 'Ask again, or capture on the machine itself and send me the file.'],
    ]),
  ]);
}

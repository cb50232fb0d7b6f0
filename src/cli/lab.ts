/** `netproof lab [--scenario DIR ...] [--port N]`: the Azure emulator alone on loopback, until Ctrl-C. */
import { UserInputError } from '../domain/errors.js';
import { listBuiltInScenarios, startLab, type Lab } from '../lab/index.js';

/** Options of `netproof lab`. */
export interface LabCommandOptions {
  scenario?: string[];
  port?: number;
}

/** What the command prints once the lab listens: endpoints, the scenarios and how to query them. */
export function describeLab(lab: Lab): string {
  const lines = [
    'netproof lab: the Azure emulator is listening on loopback.',
    '',
    `  Log Analytics   ${lab.endpoints.logAnalytics}      (LogsQueryClient endpoint; POST /workspaces/{id}/query)`,
    `  ARM             ${lab.endpoints.arm}         (NetworkManagementClient endpoint; Network Watcher, packet captures)`,
    `  Resource Graph  ${lab.endpoints.resourceGraph}         (ResourceGraphClient endpoint)`,
    `  Blob (Azurite)  ${lab.endpoints.blob ?? 'off'}${lab.endpoints.blob ? '         (path-style: /<account>/<container>/<blob>)' : ''}`,
    '',
    'Scenarios (ARM requests are routed by subscription id, Log Analytics queries by workspace id):',
  ];
  for (const entry of lab.scenarios) {
    const scenario = entry.scenario;
    lines.push(`  ${scenario.name}  now=${scenario.now}  subscription=${scenario.subscriptionId}  workspace=${scenario.workspaceId}`);
  }
  lines.push(`Any one scenario alone: prefix the endpoints with /scenarios/{name}, e.g. ${lab.endpointsFor(lab.scenarios[0]?.scenario.name ?? '').arm}`);
  if (lab.shadowed.length > 0) {
    lines.push(`These share a subscription or workspace with an earlier scenario, so reach them by prefix only: ${lab.shadowed.join(', ')}`);
  }
  const first = lab.scenarios[0]?.scenario;
  if (first) {
    const table = Object.keys(first.tables)[0] ?? 'AZFWNetworkRule';
    lines.push(
      '',
      'Try it:',
      `  curl -s -X POST ${lab.endpoints.logAnalytics}/workspaces/${first.workspaceId}/query \\`,
      `    -H 'content-type: application/json' -d '{"query":"${table} | summarize count() by bin(TimeGenerated, 1h)","timespan":"P7D"}'`,
      `  curl -s '${lab.endpoints.arm}/subscriptions/${first.subscriptionId}/providers/Microsoft.Network/virtualNetworks?api-version=2026-01-01'`,
      '',
      'With the SDK (bearer authentication refuses http, so swap the policy as src/lab/clients.ts does):',
      `  const logs = new LogsQueryClient(credential, { endpoint: '${lab.endpoints.logAnalytics}', allowInsecureConnection: true });`,
      `  logs.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });`,
      `  logs.pipeline.addPolicy({ name: 'lab', sendRequest: (request, next) => { request.headers.set('authorization', 'Bearer lab'); return next(request); } });`,
      `  await logs.queryWorkspace('${first.workspaceId}', '${table} | take 10', { duration: 'P1D' });`,
      '',
      'Inject a fault on one request with the header x-netproof-fault, e.g. {"target":"logs","kind":"throttle","retryAfterInSeconds":5}.',
      'Press Ctrl-C to stop.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `netproof lab`. Resolves when the lab has stopped (SIGINT/SIGTERM). */
export async function runLab(options: LabCommandOptions = {}): Promise<void> {
  let scenarios = options.scenario ?? [];
  if (scenarios.length === 0) {
    scenarios = listBuiltInScenarios();
    if (scenarios.length === 0) {
      throw new UserInputError(
        'lab.no-scenarios',
        'this build has no built-in lab scenarios yet; pass one with --scenario DIR (e.g. --scenario ../shared/scenarios/example-rdp-remote-site)',
      );
    }
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new UserInputError('lab.bad-port', `--port must be a port number (0-65535), not ${String(options.port)}`);
  }
  const lab = await startLab({ scenarios, ...(options.port !== undefined ? { port: options.port } : {}) });
  process.stdout.write(describeLab(lab));
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void lab.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

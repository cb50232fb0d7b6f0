/**
 * The same flow, however a new user types it: for every built-in scenario, phrasings
 * with names or addresses, service names or ports, other time expressions for the same
 * window, other word orders and careless casing must parse to exactly the flow of the
 * scenario's own question (source, destination, protocol, port, window), against that
 * scenario's estate and clock. Parse level only: no lab, no pipeline.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology, type ArmResource } from '../../src/azure/topology.js';
import { knownNames } from '../../src/diagnose/diagnose.js';
import { parseQuestion, type KnownName, type ParsedEndpoint, type ParsedQuestion } from '../../src/diagnose/question.js';
import { listBuiltInScenarios } from '../../src/lab/index.js';

/** Phrasings per scenario; each must mean what the scenario's own question means. */
const PHRASINGS: Record<string, string[]> = {
  'app-rule-snat': [
    'vm-app01 gets a 403 from https://claims-api.corp.woodgrove-health.example (vm-claimsapi01) between 09:30 and 10:00 UTC',
    'from 10.21.2.4 to 10.22.2.4 on port 443 between 9:30 and 10:00 UTC, the API says client address not allowed',
    'VM-APP01 -> vm-claimsapi01:443 from 09:30 to 10:00 UTC',
    'why is vm-claimsapi01 refusing https from vm-app01 between 10:30 and 11:00 CET?',
    'https from Vm-App01 to claims-api.corp.woodgrove-health.example (10.22.2.4) fails 09:30-10:00 UTC',
  ],
  'appservice-keyvault-dns-not-linked': [
    'wgh-claims-portal gets 403 from wgh-claims-kv.vault.azure.net since 11:00 UTC',
    'why does the app service get 403 from the key vault since 11am UTC today?',
    'from wgh-claims-portal to wgh-claims-kv on 443 since 11:00 utc',
    'WGH-Claims-Portal is getting HTTP 403 from Wgh-Claims-Kv since 11:00 UTC',
    'since 12:00 CET wgh-claims-portal cannot read secrets from wgh-claims-kv',
    'wgh-claims-portal -> wgh-claims-kv https, last 135 minutes',
  ],
  'coverage-mixed-estate': [
    'vm-app02 cannot reach 172.20.1.10 on tcp 135 between 09:00 and 10:00 UTC',
    'from 10.41.2.5 to the domain controller 172.20.1.10 port 135 between 9am and 10am UTC',
    'VM-APP02 -> 172.20.1.10:135 from 09:00 to 10:00 utc',
    'why is 172.20.1.10 unreachable from vm-app02 on port 135/tcp between 10:00 and 11:00 CET?',
    'rpc endpoint mapper from Vm-App02 to 172.20.1.10 tcp/135 fails 09:00-10:00 UTC',
  ],
  'dns-failure': [
    'vm-app01 cannot get secrets from fab-orders-kv.vault.azure.net between 07:30 and 09:00 UTC',
    'from 10.41.2.4 to fab-orders-kv on 443 between 7:30am and 9am UTC',
    'VM-APP01 -> FAB-ORDERS-KV.VAULT.AZURE.NET:443 from 07:30 to 09:00 UTC',
    'why does vm-app01 fail to reach the key vault fab-orders-kv over https between 08:30 and 10:00 CET?',
    'https://fab-orders-kv.vault.azure.net/secrets/orders-db is unreachable from vm-app01 between 07:30 and 09:00 utc',
  ],
  'firewall-app-rule-probe-misleading': [
    "why can't vm-app02 reach api.paygate-partner.example on 443 between 10:00 and 10:30 UTC?",
    'from 10.61.2.5 to https://api.paygate-partner.example/v2/payments between 10:00 and 10:30 utc',
    'Vm-App02 -> api.paygate-partner.example:443 from 10:00 to 10:30 UTC',
    'calls from vm-app02 to https://api.paygate-partner.example fail 10:00-10:30 UTC although connection troubleshoot says reachable',
    'between 11:00 and 11:30 CET vm-app02 gets timeouts calling https://api.paygate-partner.example',
  ],
  'firewall-bypassed': [
    'does sql from vm-app01 to vm-sql01 go through the firewall between 08:00 and 09:00 UTC today?',
    'from 10.81.2.4 to 10.82.1.4 port 1433 between 8am and 9am UTC',
    'VM-APP01 -> VM-SQL01:1433 from 08:00 to 09:00 UTC',
    'vm-app01 to vm-sql01 on 1433 between 09:00 and 10:00 CET today: nothing in the firewall logs',
    'is the traffic from vm-app01 to 10.82.1.4 over tcp/1433 inspected by the firewall, 08:00-09:00 UTC?',
  ],
  'firewall-idps-deny': [
    'why does vm-app01 time out calling 203.0.113.140 on port 8080 this morning?',
    'from 10.81.2.4 to 203.0.113.140:8080 this morning',
    'VM-APP01 -> 203.0.113.140 tcp/8080 this morning',
    'this morning vm-app01 cannot reach the carrier API at 203.0.113.140 port 8080',
    'connections from Vm-App01 to 203.0.113.140:8080 time out since midnight UTC',
  ],
  'firewall-network-rule-deny': [
    'vm-app01 cannot map a file share on vm-fs01 between 08:00 and 09:00 UTC',
    'from 10.61.2.4 to 10.62.2.4 port 445 between 8am and 9am UTC',
    'SMB from VM-APP01 to VM-FS01 fails 08:00-09:00 UTC',
    "why can't vm-app01 reach vm-fs01 over smb between 09:00 and 10:00 CET?",
    'vm-app01 -> vm-fs01 tcp/445 from 08:00 to 09:00 UTC',
  ],
  'firewall-threat-intel-deny': [
    'vm-app01 cannot reach https://rates.shipfast-partner.example (198.51.100.23) since 06:00 UTC',
    'from 10.61.2.4 to 198.51.100.23 on 443 since 6am UTC',
    'VM-APP01 -> 198.51.100.23:443 since 07:00 CET',
    'https from vm-app01 to 198.51.100.23 fails since 06:00 UTC, it worked yesterday',
    'why is rates.shipfast-partner.example (198.51.100.23) unreachable from vm-app01 over https since 06:00 utc today?',
  ],
  'flow-logs-not-yet-ingested': [
    "192.168.40.230 can't reach vm-web02 over https between 14:00 and 14:20 UTC",
    'from 192.168.40.230 to 10.81.1.5:443 in the last 20 minutes',
    'https://vm-web02 times out for 192.168.40.230 since 14:00 utc',
    "why can't 192.168.40.230 open https://VM-WEB02 (10.81.1.5) between 15:00 and 15:20 CET?",
    '192.168.40.230 -> vm-web02 port 443, last 20 min',
  ],
  'gateway-subnet-missing-udr': [
    'https to vm-ops01 from 192.168.40.23 times out between 10:30 and 11:00 UTC',
    'ping to 10.83.1.4 works but https fails from 192.168.40.23 between 10:30 and 11:00 UTC',
    '192.168.40.23 -> vm-ops01:443 from 10:30 to 11:00 UTC',
    'users in Sydney can ping VM-OPS01 but https://vm-ops01 times out, e.g. from 192.168.40.23 between 21:30 and 22:00 AEDT',
    'why does https://10.83.1.4 time out from 192.168.40.23 between 10:30 and 11:00 utc, but ping works?',
  ],
  'keyvault-auth-deny': [
    'vm-app02 gets 403 Forbidden from wgh-claims-kv since 08:00 UTC',
    'from 10.21.2.5 to wgh-claims-kv.vault.azure.net on 443 since 8am UTC',
    'VM-APP02 -> WGH-CLAIMS-KV https since 09:00 CET',
    'since the redeploy at 08:00 UTC vm-app02 cannot read the secret claims-db-connection from the key vault',
    'why is wgh-claims-kv refusing vm-app02 with HTTP 403 since 08:00 utc?',
  ],
  'next-hop-invalid': [
    'vm-app01 cannot ssh to 10.250.4.20 since last night',
    'from 10.21.2.4 to 10.250.4.20 port 22 since last night',
    'VM-APP01 -> 10.250.4.20:22 since 18:00 UTC yesterday',
    'sftp from vm-app01 to the clearing house 10.250.4.20 fails since last night',
    "why can't Vm-App01 reach 10.250.4.20 on tcp/22 since yesterday at 19:00 CET?",
  ],
  'no-flow-logs-enabled': [
    'vm-etl01 cannot connect to postgres on vm-pg01 since 10:00 UTC',
    'from 10.44.1.4 to 10.44.2.4 port 5432 since 10am UTC',
    'VM-ETL01 -> vm-pg01:5432 since 11:00 CET',
    'psql from vm-etl01 to vm-pg01 fails in the last 90 minutes',
    "why can't vm-etl01 reach PostgreSQL on vm-pg01 (10.44.2.4) tcp 5432 since 10:00 utc?",
  ],
  'no-route': [
    'vm-app01 cannot reach vm-rpt01 on 443 since 07:00 UTC',
    'from 10.81.2.4 to 10.82.5.4:443 since 7am utc',
    'https from VM-APP01 to vm-rpt01 fails since 08:00 CET',
    "why can't vm-app01 call https://vm-rpt01/reports since 07:00 UTC?",
    'vm-app01 -> 10.82.5.4 tcp/443 in the last 170 minutes',
  ],
  'nothing-listening': [
    'vm-app02 cannot connect to sql on vm-sql01 since 08:45 UTC',
    'from 10.61.2.5 to 10.62.1.4 port 1433 since 8:45am UTC',
    'mssql from VM-App02 to VM-SQL01 refused since 09:45 CET',
    'vm-app02 -> vm-sql01:1433 in the last 95 minutes',
    'why is vm-sql01 refusing sql server connections from vm-app02 since 08:45 utc?',
  ],
  'nsg-deny-between-spokes': [
    'vm-web03 cannot connect to vm-sql01 on port 1433 since 09:00 UTC',
    'from 10.41.1.6 to 10.42.1.4 tcp/1433 since 9am UTC today',
    'SQL from VM-WEB03 to vm-sql01 blocked since 10:00 CET',
    'vm-web03 -> 10.42.1.4:1433 since 09:00 utc',
    "why can't vm-web03 reach SQL Server on 10.42.1.4 since 09:00 UTC today?",
  ],
  'nsg-flow-logs-only': [
    '172.24.30.40 cannot connect to sql on vm-sql01 between 08:00 and 10:00 UTC',
    'from 172.24.30.40 to 10.22.1.4 port 1433 between 8am and 10am UTC',
    '172.24.30.40 -> VM-SQL01:1433 from 08:00 to 10:00 UTC',
    'why is vm-sql01 unreachable from 172.24.30.40 on tcp 1433 between 09:00 and 11:00 CET?',
    'mssql from the reporting server 172.24.30.40 to vm-sql01 fails 08:00-10:00 utc',
  ],
  'path-ok': [
    'is the network blocking 192.168.41.8 from vm-web01 on 443 between 09:00 and 10:00 UTC?',
    'from 192.168.41.8 to 10.81.1.4:443 between 9am and 10am UTC',
    '192.168.41.8 -> VM-WEB01 https from 09:00 to 10:00 UTC',
    'https://vm-web01 gives errors for 192.168.41.8 between 10:00 and 11:00 CET',
    'can 192.168.41.8 reach vm-web01 on port 443, 09:00-10:00 utc?',
  ],
  'peering-blocks-transit': [
    '172.21.10.118 cannot open https://vm-pay01 since 07:50 UTC',
    'from 172.21.10.118 to 10.45.1.4:443 since 7:50am UTC',
    '172.21.10.118 -> VM-PAY01 port 443 since 08:50 CET',
    'https from 172.21.10.118 to vm-pay01 fails in the last 170 minutes',
    "why can't the Amsterdam back office (e.g. 172.21.10.118) reach vm-pay01 over https since 07:50 utc?",
  ],
  'peering-not-connected': [
    'vm-app01 cannot connect to sql on vm-sql01 since last night',
    'from 10.61.2.4 to 10.62.1.4 port 1433 since last night',
    'VM-APP01 -> vm-sql01:1433 since 18:00 UTC yesterday',
    'mssql from vm-app01 to VM-SQL01 fails since yesterday at 19:00 CET',
    "why can't the orders API on vm-app01 reach 10.62.1.4 on tcp/1433 since last night?",
  ],
  'private-endpoint-route-overrides-udr': [
    "vm-jump01 can't open https://wghclaimsdocs.blob.core.windows.net/claims since 08:30 UTC",
    'from 10.20.10.4 to 10.22.3.5 on 443 since 8:30am utc',
    'VM-JUMP01 -> WGHCLAIMSDOCS.BLOB.CORE.WINDOWS.NET:443 since 09:30 CET',
    "why can't vm-jump01 reach wghclaimsdocs.privatelink.blob.core.windows.net over https since 08:30 UTC?",
    'https from vm-jump01 to the storage account wghclaimsdocs times out since 08:30 utc',
    'why does vm-jump01 fail to open the storage account over TLS since 08:30 UTC',
  ],
  'rdp-remote-site': [
    "192.168.10.5 can't rdp to vm-app01 between 14:00 and 14:30 UTC",
    'from 192.168.10.5 to 10.201.1.4 port 3389 between 2pm and 2:30pm UTC',
    'remote desktop to VM-APP01 from 192.168.10.5 fails 14:00-14:30 UTC',
    "why can't 192.168.10.5 RDP to vm-app01 between 09:00 and 09:30 EST?",
    '192.168.10.5 -> vm-app01:3389 on 2026-11-12 from 14:00 to 14:30 UTC',
  ],
  'spoke-bgp-bypasses-firewall': [
    '10.130.4.21 cannot open https://vm-bi01 since 08:05 UTC',
    'from 10.130.4.21 to 10.63.1.4:443 since 8:05am UTC',
    '10.130.4.21 -> VM-BI01 port 443 since 09:05 CET',
    "why can't Manchester users (e.g. 10.130.4.21) reach the BI portal on vm-bi01 over https since 08:05 utc?",
    'https from 10.130.4.21 to vm-bi01 fails in the last 135 minutes',
  ],
  'tcp-no-response': [
    'vm-web01 times out connecting to vm-app02 on 8443 since 08:00 UTC',
    'from 10.41.1.4 to 10.41.2.5:8443 since 8am UTC',
    'VM-WEB01 -> vm-app02 tcp/8443 since 09:00 CET',
    "why can't vm-web01 reach the orders API on vm-app02 port 8443 since 08:00 utc?",
    'the orders API on vm-app02:8443 does not answer vm-web01 since 08:00 UTC',
  ],
  'tcp-reset': [
    "vm-app01's downloads from vm-docs01 on port 8080 break off since this morning",
    'from 10.21.2.4 to 10.22.4.4:8080 since midnight UTC',
    'VM-APP01 -> VM-DOCS01 tcp/8080 this morning',
    'why does vm-docs01 reset connections from vm-app01 on 8080 this morning?',
    'connection reset by peer from vm-app01 to the document service 10.22.4.4 port 8080 since this morning',
  ],
  'tls-client-cert-required': [
    'vm-web01 gets handshake failure calling vm-app01 on 8443 since 06:30 UTC',
    'from 10.81.1.4 to 10.81.2.4:8443 since 6:30am UTC',
    'VM-WEB01 -> vm-app01 port 8443 since 07:30 CET',
    'why do TLS calls from vm-web01 to the booking API on vm-app01 tcp/8443 fail since 06:30 utc?',
    'tls from Vm-Web01 to 10.81.2.4 on port 8443 fails in the last 170 minutes',
  ],
  'tls-expired': [
    'calls from vm-web02 to vm-app01 on 8443 fail with a TLS error since 07:15 UTC',
    'from 10.61.1.5 to 10.61.2.4:8443 since 7:15am UTC',
    'VM-WEB02 -> VM-APP01 port 8443 since 08:15 CET',
    'certificate error from vm-web02 to the orders API on vm-app01 tcp/8443 since 07:15 utc',
    'tls handshake from vm-web02 to 10.61.2.4 port 8443 fails in the last 160 minutes',
  ],
  'tls-hostname-mismatch': [
    '172.24.50.12 gets a certificate name error on https://vm-web01 since 07:00 UTC',
    'from 172.24.50.12 to 10.21.1.4:443 since 7am UTC',
    '172.24.50.12 -> VM-WEB01 https since 08:00 CET',
    'why do users in Des Moines (e.g. 172.24.50.12) get a certificate error on vm-web01 since 07:00 utc?',
    'tls from 172.24.50.12 to vm-web01 port 443 fails in the last 245 minutes',
  ],
  'tls-incomplete-chain': [
    '172.21.10.5 gets a certificate error from https://vm-web01 between 09:00 and 09:30 UTC',
    'certificate error on vm-web01 for 172.21.10.5 between 9am and 9:30am UTC',
    'from 172.21.10.5 to 10.41.1.4:443 between 09:00 and 09:30 UTC, cert chain incomplete?',
    'users (e.g. 172.21.10.5) get TLS errors on https://VM-WEB01 between 10:00 and 10:30 CET',
    'why does https://vm-web01 show a certificate warning for 172.21.10.5 since this morning, between 09:00 and 09:30 UTC?',
  ],
  'tls-protocol-mismatch': [
    '172.21.12.40 cannot open https://vm-web02 since 08:00 UTC',
    'from 172.21.12.40 to 10.41.1.5:443 since 8am UTC',
    '172.21.12.40 -> VM-WEB02 port 443 since 09:00 CET',
    'tls from the kiosk 172.21.12.40 to vm-web02 fails since 08:00 utc, office PCs can',
    'https from 172.21.12.40 to vm-web02 fails in the last 170 minutes',
  ],
  'tls-self-signed': [
    '192.168.40.230 gets "your connection is not private" from https://vm-web02 since 06:40 UTC',
    'from 192.168.40.230 to 10.81.1.5:443 since 6:40am UTC',
    '192.168.40.230 -> VM-WEB02 https since 07:40 CET',
    'why does vm-web02 show a certificate error to 192.168.40.230 since 06:40 utc? vm-web01 is fine',
    'tls from 192.168.40.230 to vm-web02 port 443 fails in the last 215 minutes',
  ],
};

/** The least number of phrasings a scenario needs. */
const MIN_PHRASINGS = 5;

interface Scenario { name: string; now: Date; names: KnownName[]; question: string }

function loadScenario(directory: string): Scenario {
  const scenario = JSON.parse(readFileSync(join(directory, 'scenario.json'), 'utf8')) as { now: string; resources: ArmResource[] };
  const expectation = JSON.parse(readFileSync(join(directory, 'expect.json'), 'utf8')) as { question: string };
  return { name: basename(directory), now: new Date(scenario.now), names: knownNames(buildTopology(scenario.resources)), question: expectation.question };
}

const scenarios = new Map(listBuiltInScenarios().map((directory) => {
  const scenario = loadScenario(directory);
  return [scenario.name, scenario] as const;
}));

/** One end, by what identifies it: the resource, else the address, else the host name. */
function endOf(endpoint: ParsedEndpoint): string | null {
  return endpoint.resourceId ?? endpoint.ip ?? endpoint.prefix ?? endpoint.fqdn;
}

/** What must not depend on the phrasing. */
function flowOf(question: ParsedQuestion) {
  return {
    source: endOf(question.source), destination: endOf(question.destination),
    protocol: question.protocol, port: question.port, window: question.window,
  };
}

function parse(text: string, scenario: Scenario): ParsedQuestion {
  const outcome = parseQuestion(text, { now: scenario.now, names: scenario.names });
  if (outcome.kind !== 'question') throw new Error(`"${text}" -> ${outcome.code}: ${outcome.message}`);
  return outcome.question;
}

describe('every built-in scenario has phrasings', () => {
  it.each([...scenarios.keys()])('%s', (name) => {
    expect(PHRASINGS[name]?.length ?? 0).toBeGreaterThanOrEqual(MIN_PHRASINGS);
  });

  it('names only built-in scenarios', () => {
    expect(Object.keys(PHRASINGS).filter((name) => !scenarios.has(name))).toEqual([]);
  });
});

const cases = Object.entries(PHRASINGS).flatMap(([name, phrasings]) => phrasings.map((text) => [name, text] as const))
  .filter(([name]) => scenarios.has(name));

describe('phrasings parse to the flow of the scenario question', () => {
  it.each(cases)('%s: %s', (name, text) => {
    const scenario = scenarios.get(name) as Scenario;
    expect(flowOf(parse(text, scenario))).toEqual(flowOf(parse(scenario.question, scenario)));
  });
});

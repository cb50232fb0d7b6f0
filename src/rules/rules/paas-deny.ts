/**
 * Key Vault refusals from its audit log: `paas_network_deny` (403 ForbiddenByFirewall,
 * IsAddressAuthorized false: the vault's own firewall) versus `paas_auth_deny` (403 with
 * IsAddressAuthorized true, ForbiddenByRbac / AccessDenied, or 401 never followed by success).
 * Only rows of the question's caller count: its own address, or the egress addresses of the
 * firewall on its path or of its App Service.
 */
import { sameResourceId, type EvidenceOf } from '../../domain/index.js';
import { analyse, evidenceOf, inWindow, isDestinationName, isSource, unique, type Analysis } from '../context.js';
import { anyPrefixContains, sameIp } from '../net/ip.js';
import { blockedAt, firewallSubnetPrefixes } from '../findings.js';
import type { Rule, RuleFinding } from '../types.js';

type VaultRow = EvidenceOf<'keyvault-log'>;

function hostOf(uri: string | null): string | null {
  if (uri === null) return null;
  const match = /^[a-z]+:\/\/([^/:]+)/i.exec(uri);
  return match?.[1] ?? null;
}

/** The caller addresses that stand for the question's source. */
function callerMatches(analysis: Analysis, ip: string | null): boolean {
  if (isSource(analysis, ip)) return true;
  const onPath = new Set((analysis.forward?.hops ?? []).filter((hop) => hop.kind === 'firewall').map((hop) => hop.resourceId?.toLowerCase()));
  for (const { firewall, prefixes } of firewallSubnetPrefixes(analysis)) {
    if (!onPath.has(firewall.id.toLowerCase())) continue;
    if (anyPrefixContains(prefixes, ip) || firewall.publicIpAddresses.some((address) => sameIp(address, ip))) return true;
  }
  const app = analysis.source.kind !== 'on-prem' && analysis.source.kind !== 'unknown' ? analysis.source.webApp : null;
  return app !== null && app.outboundIpAddresses.some((address) => sameIp(address, ip));
}

function aboutDestination(analysis: Analysis, row: VaultRow['data']): boolean {
  const question = analysis.input.question.destination;
  if (question.resourceId !== null && sameResourceId(row.vaultId, question.resourceId)) return true;
  const vault = analysis.input.topology.keyVaults.find((candidate) => sameResourceId(candidate.id, row.vaultId));
  return isDestinationName(analysis, hostOf(row.requestUri)) || (vault !== undefined && isDestinationName(analysis, vault.hostName));
}

/**
 * The caller's identity in words. Key Vault logs it as the token's claims (JSON: oid, appid,
 * xms_mirid for a managed identity); a plain string is kept as it is.
 */
function describeIdentity(identity: string | null): string {
  if (identity === null || identity.trim() === '') return 'the caller\'s identity';
  try {
    const parsed: unknown = JSON.parse(identity);
    const claims = (parsed !== null && typeof parsed === 'object' && 'claim' in parsed ? (parsed as { claim: unknown }).claim : parsed) as Record<string, unknown> | null;
    const text = (key: string) => (claims !== null && typeof claims === 'object' && typeof claims[key] === 'string' && claims[key] !== '' ? claims[key] : null);
    const managed = text('xms_mirid');
    const parts = [managed !== null ? `managed identity ${managed.split('/').pop() ?? managed}` : null,
      text('appid') !== null ? `application id ${text('appid')}` : null, text('oid') !== null ? `object id ${text('oid')}` : null].filter((part) => part !== null);
    return parts.length > 0 ? `the caller (${parts.join(', ')})` : 'the caller\'s identity';
  } catch {
    // Not JSON: the log already names the identity.
    return identity;
  }
}

const NETWORK_TEXT = /ForbiddenByFirewall|Client address is not authorized/i;
const AUTH_TEXT = /ForbiddenByRbac|AccessDenied|ForbiddenByPolicy|Unauthorized/i;

function isNetworkDeny(row: VaultRow['data']): boolean {
  const text = `${row.resultSignature ?? ''} ${row.resultDescription ?? ''} ${row.resultType ?? ''}`;
  return row.httpStatusCode === 403 && (row.isAddressAuthorized === false || NETWORK_TEXT.test(text));
}

function isAuthDeny(row: VaultRow['data']): boolean {
  if (isNetworkDeny(row)) return false;
  const text = `${row.resultSignature ?? ''} ${row.resultDescription ?? ''} ${row.resultType ?? ''}`;
  if (row.httpStatusCode === 403) return row.isAddressAuthorized === true || row.isRbacAuthorized === false || row.isAccessPolicyMatch === false || AUTH_TEXT.test(text);
  return row.httpStatusCode === 401;
}

/** The PaaS resource refuses the caller: by its network rules, or by authentication/authorisation. */
export const paasDeny: Rule = {
  name: 'paas-deny',
  run(input) {
    const analysis = analyse(input);
    const rows = evidenceOf(input, 'keyvault-log').filter(({ data }) => inWindow(analysis, data.time) && aboutDestination(analysis, data) && callerMatches(analysis, data.callerIp));
    const succeeded = rows.some(({ data }) => data.httpStatusCode !== null && data.httpStatusCode >= 200 && data.httpStatusCode < 300);
    const network = rows.filter(({ data }) => isNetworkDeny(data));
    // A 401 is the normal first leg of Key Vault's challenge; it is a refusal only when nothing succeeds.
    const auth = rows.filter(({ data }) => isAuthDeny(data) && (data.httpStatusCode !== 401 || !succeeded));
    const vault = (row: VaultRow) => input.topology.keyVaults.find((candidate) => sameResourceId(candidate.id, row.data.vaultId)) ?? null;
    const findings: RuleFinding[] = [];
    if (network.length > 0) {
      const first = network[0]!;
      findings.push({
        code: 'paas_network_deny',
        summary: `Key Vault ${vault(first)?.name ?? ''} refuses ${first.data.callerIp ?? 'the caller'} with ${first.data.httpStatusCode} (${first.data.resultSignature ?? 'Forbidden'}${first.data.isAddressAuthorized === false ? ', IsAddressAuthorized false' : ''}): its firewall does not allow that address.`,
        evidence: unique(network.map((row) => row.id)),
        confidence: succeeded ? 'medium' : 'high',
        blockedAt: blockedAt('paas', vault(first)?.id ?? first.data.vaultId, vault(first)?.name ?? null, 'network rules'),
        nextSteps: [`Reach the vault through its private endpoint (check the private DNS zone link), or add ${first.data.callerIp ?? 'the caller'} to its network rules.`],
      });
    }
    if (auth.length > 0) {
      const first = auth[0]!;
      findings.push({
        code: 'paas_auth_deny',
        summary: `Key Vault ${vault(first)?.name ?? ''} receives the request from ${first.data.callerIp ?? 'the caller'} and refuses it with ${first.data.httpStatusCode} (${first.data.resultSignature ?? ''}${first.data.resultDescription ? `: ${first.data.resultDescription}` : ''}): authentication or authorisation, not the network.`,
        evidence: unique(auth.map((row) => row.id)),
        confidence: succeeded ? 'medium' : 'high',
        blockedAt: blockedAt('paas', vault(first)?.id ?? first.data.vaultId, vault(first)?.name ?? null, first.data.operation),
        nextSteps: [`Grant ${describeIdentity(first.data.identity)} the role or access policy for ${first.data.operation ?? 'the operation'} on the vault.`],
      });
    }
    return findings;
  },
};

/**
 * `dns_failure`: the destination name does not resolve (NXDOMAIN, SERVFAIL, REFUSED, no
 * response), from a capture or the firewall's DNS proxy log; a successful answer for the same
 * name in the same evidence cancels it.
 */
import { conversationsAskingDestination, observationsOf } from '../capture.js';
import { analyse, evidenceOf, inWindow, isDestinationName, isSource, unique } from '../context.js';
import { blockedAt } from '../findings.js';
import type { Rule } from '../types.js';

const FAILED_CODES = new Set(['nxdomain', 'servfail', 'refused']);
const DNS_OBSERVATIONS = new Set(['dns_nxdomain', 'dns_servfail', 'dns_no_response']);

/** The destination name does not resolve. */
export const dnsFailure: Rule = {
  name: 'dns-failure',
  run(input) {
    const analysis = analyse(input);
    if (analysis.flow.destinationName === null) return [];
    const failures: { id: string; how: string }[] = [];
    let resolved = false;
    for (const item of evidenceOf(input, 'capture')) {
      const { report } = item.data;
      for (const conversation of conversationsAskingDestination(analysis, report)) {
        const queries = (conversation.dns ?? []).filter((dns) => isDestinationName(analysis, dns.name));
        if (queries.length === 0) continue;
        if (queries.some((dns) => dns.rcode === 'NOERROR' && dns.answers.length > 0)) resolved = true;
        const failed = queries.find((dns) => dns.rcode !== null && FAILED_CODES.has(dns.rcode.toLowerCase()));
        const noResponse = observationsOf(report, conversation.id).some((finding) => DNS_OBSERVATIONS.has(finding.code));
        if (failed !== undefined) failures.push({ id: item.id, how: failed.rcode ?? 'failure' });
        else if (noResponse) failures.push({ id: item.id, how: 'no response' });
      }
    }
    for (const row of evidenceOf(input, 'firewall-log')) {
      const { data } = row;
      if (data.kind !== 'dns' || !isDestinationName(analysis, data.queryName) || !inWindow(analysis, data.time)) continue;
      if (analysis.flow.sourceIp !== null && data.sourceIp !== null && !isSource(analysis, data.sourceIp)) continue;
      const code = (data.responseCode ?? '').toLowerCase();
      if (FAILED_CODES.has(code)) failures.push({ id: row.id, how: data.responseCode ?? '' });
      else if (code === 'noerror') resolved = true;
    }
    if (failures.length === 0 || resolved) return [];
    return [{
      code: 'dns_failure',
      summary: `${analysis.flow.destinationName} does not resolve (${unique(failures.map((failure) => failure.how)).join(', ')}), so no connection is attempted.`,
      evidence: unique(failures.map((failure) => failure.id)),
      confidence: 'high',
      blockedAt: blockedAt('dns', null, null, analysis.flow.destinationName),
      nextSteps: [`Check the record for ${analysis.flow.destinationName} in the zone the client's DNS server uses (private DNS zone, conditional forwarder or public zone).`],
    }];
  },
};

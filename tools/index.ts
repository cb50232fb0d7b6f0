/**
 * The LLM tool catalogue: one file per tool, listed here. The loop offers these to
 * the model (plus its own `submit_answer`); schemas are generated from the zod inputs.
 */
import { analyzeCaptureTool } from './analyze-capture.js';
import { checkConnectivity } from './check-connectivity.js';
import { diagnoseConnection } from './diagnose-connection.js';
import { findResource } from './find-resource.js';
import { getEffectiveRoutes } from './get-effective-routes.js';
import { getEffectiveSecurityRules } from './get-effective-security-rules.js';
import { getFlowLogCoverage } from './get-flow-log-coverage.js';
import { getNextHop } from './get-next-hop.js';
import { queryFirewallLogs } from './query-firewall-logs.js';
import { queryFlowLogs } from './query-flow-logs.js';
import { queryKeyVaultLogs } from './query-key-vault-logs.js';
import { startPacketCapture } from './start-packet-capture.js';
import { verifyIpFlow } from './verify-ip-flow.js';
import type { Tool } from './support/tool.js';

export * from './support/tool.js';
export { scopeSources, scopeTopology, inScope, subscriptionOf } from './support/scope.js';
export { describeIssues, runTool, toolParameters } from './support/run.js';
export { verdictForModel, outcomeForModel } from './support/verdict.js';
export { uploadEvidence } from './support/captures.js';
export { diagnoseInTurn } from './diagnose-connection.js';
export { scopeCoverage, type CoverageSource, type CoverageToolContext } from './get-flow-log-coverage.js';

/** Every tool the model may call, in the order they are offered. */
export const TOOLS: readonly Tool[] = [
  diagnoseConnection,
  findResource,
  queryFirewallLogs,
  queryFlowLogs,
  getNextHop,
  verifyIpFlow,
  getEffectiveRoutes,
  getEffectiveSecurityRules,
  checkConnectivity,
  queryKeyVaultLogs,
  getFlowLogCoverage,
  analyzeCaptureTool,
  startPacketCapture,
] as readonly Tool[];

/** Flow-log coverage: the use case behind `netproof coverage`, the bot's coverage card and the get_flow_log_coverage tool. */
export { computeCoverage, coveringAssignment, flowLogAssignments, isFlowLogDefinitionCopy, vnetFlowLogState } from './report.js';
export { buildPlan, isGap } from './plan.js';
export { armLiteral, customParameters, deploymentTemplate, CUSTOM_DEFINITION, SUBSCRIPTION_TEMPLATE_SCHEMA } from './template.js';
export { azCommands, shellQuote } from './commands.js';
export { describeVnet, renderCoverageMarkdown } from './render.js';
export { coverageNextStep } from '../domain/coverage.js';

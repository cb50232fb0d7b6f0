/** The pure capture analysis: decoded packets in, a CaptureReport out. */
export { CaptureAnalyzer, type AnalysisOptions } from './analyzer.js';
export { renderCaptureSummary } from './summary.js';
export { TrustStore, splitPem } from './certificates.js';

/** The domain: vocabularies and JSON shapes shared by every layer. */
export * from './vocabulary.js';
export * from './capture-report.js';
export * from './verdict.js';
export * from './scenario.js';
export * from './errors.js';
export * from './topology.js';
export * from './evidence.js';

/** The embedded Azure emulator (loopback only): imported by the entry layer and tests. */
export { startLab, type Lab, type LabEndpoints, type StartLabOptions } from './server.js';
export { startLabProcess, type LabProcessOptions } from './process.js';
export { createLabClients, labCredential, useLabAuthorization, type LabClientOptions, type LabClients } from './clients.js';
export { loadScenario, listBuiltInScenarios, builtInScenariosDirectory, parseScenario, type LoadedScenario } from './scenario-loader.js';
export { ManualClock, RealClock, type LabClock } from './clock.js';
export { FAULT_HEADER } from './faults.js';

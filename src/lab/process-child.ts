/**
 * The child side of `startLabProcess`: runs `startLab` on the scenarios the parent names, tells it
 * where the lab listens, and follows its messages (clock, faults, close). It stops when the parent
 * says close or goes away.
 */
import { ManualClock, RealClock } from './clock.js';
import type { LabProcessMessage, LabProcessRequest } from './process.js';
import { startLab, type Lab } from './server.js';

function answer(message: LabProcessMessage): void {
  process.send?.(message);
}

let lab: Lab | null = null;
let clock: ManualClock | null = null;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // The parent waits for this process to exit, which follows.
  await lab?.close();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (request: LabProcessRequest) => {
  switch (request.type) {
    case 'start': {
      if (lab !== null) return;
      clock = request.frozenClock ? new ManualClock() : null;
      startLab({ scenarios: request.scenarios, clock: clock ?? new RealClock(request.startedAtEpochInMs), storage: request.storage }).then((started) => {
        lab = started;
        answer({
          type: 'ready', origin: started.endpoints.arm, shadowed: [...started.shadowed],
          storage: started.storage ? { url: started.storage.url, accounts: [...started.storage.accounts] } : null,
        });
      }, (error: unknown) => {
        answer({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      });
      return;
    }
    case 'advance':
      clock?.advance(request.milliseconds);
      return;
    case 'inject-fault':
      lab?.injectFault(request.fault);
      return;
    case 'clear-faults':
      lab?.clearFaults();
      return;
    case 'close':
      void stop();
      return;
  }
});

// The parent went away without saying close: do not outlive it (Azurite with us).
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

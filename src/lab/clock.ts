/** The lab clock: scenario time runs from each scenario's `now`, offset by the lab's elapsed time. */

/** How much lab time has passed since the lab started. Injected so tests can advance it. */
export interface LabClock {
  /** Milliseconds of lab time elapsed since the lab started. */
  elapsedInMs(): number;
}

/** Lab time advances with real time (the default). */
export class RealClock implements LabClock {
  private readonly startedAt: number;

  /**
   * @param startedAtEpochInMs when lab time began (`Date.now()` then): two processes given the same
   *   value agree on the lab time; default now.
   */
  constructor(startedAtEpochInMs?: number) {
    this.startedAt = startedAtEpochInMs === undefined ? performance.now() : startedAtEpochInMs - performance.timeOrigin;
  }

  /** Real milliseconds since the clock's start. */
  elapsedInMs(): number {
    return performance.now() - this.startedAt;
  }
}

/** Lab time stands still until a test advances it: the scenario's `now` stays exact. */
export class ManualClock implements LabClock {
  private elapsed = 0;

  /** Milliseconds advanced so far. */
  elapsedInMs(): number {
    return this.elapsed;
  }

  /** Moves lab time forward. */
  advance(milliseconds: number): void {
    if (milliseconds < 0) throw new RangeError('the lab clock only moves forward');
    this.elapsed += milliseconds;
  }
}

/** The scenario's time now: its `now` plus the lab time elapsed. */
export function scenarioTime(scenarioNow: string, clock: LabClock): Date {
  return new Date(Date.parse(scenarioNow) + Math.floor(clock.elapsedInMs()));
}

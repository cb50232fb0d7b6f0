/** Time helpers shared by the binary and text readers. */

/**
 * Epoch milliseconds (with fraction) from whole seconds and nanoseconds. Every reader
 * converts through this one function so that the same instant read from pcap, JSON or
 * EK gives the same double: the whole milliseconds are exact, the fraction rounds once.
 */
export function epochMilliseconds(seconds: number, nanoseconds: number): number {
  const wholeMilliseconds = Math.floor(nanoseconds / 1_000_000);
  return seconds * 1000 + wholeMilliseconds + (nanoseconds - wholeMilliseconds * 1_000_000) / 1_000_000;
}

/** Address text forms shared by the analysis. */

/** True when the text is an IP address (v4 or v6). `node:net` is loaded on first use: only a certificate check needs it. */
export function isIpAddress(text: string): boolean {
  return process.getBuiltinModule('node:net').isIP(text) !== 0;
}

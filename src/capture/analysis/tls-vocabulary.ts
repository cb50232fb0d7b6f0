/** TLS code points the report names (RFC 8446 6, RFC 5246 7.2, IANA TLS registry). */

/** Alert descriptions by code. */
export const TLS_ALERT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 21: 'decryption_failed', 22: 'record_overflow',
  30: 'decompression_failure', 40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate',
  43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired', 46: 'certificate_unknown',
  47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error',
  60: 'export_restriction', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation', 109: 'missing_extension',
  110: 'unsupported_extension', 111: 'certificate_unobtainable', 112: 'unrecognized_name',
  113: 'bad_certificate_status_response', 114: 'bad_certificate_hash_value', 115: 'unknown_psk_identity',
  116: 'certificate_required', 120: 'no_application_protocol',
};

/** The alert's name, or `alert_<code>` for one not in the registry. */
export function alertDescription(code: number): string {
  return TLS_ALERT_DESCRIPTIONS[code] ?? `alert_${code}`;
}

/** Protocol versions the report names. */
const VERSIONS: Readonly<Record<number, '1.0' | '1.1' | '1.2' | '1.3'>> = { 0x0301: '1.0', 0x0302: '1.1', 0x0303: '1.2', 0x0304: '1.3' };

/** 0x0303 -> "1.2"; null for SSL 3.0, GREASE and unknown values. */
export function versionName(version: number | null | undefined): '1.0' | '1.1' | '1.2' | '1.3' | null {
  if (version === null || version === undefined) return null;
  return VERSIONS[version] ?? null;
}

/** True for a version the report can name (skips GREASE and drafts). */
export function isKnownVersion(version: number): boolean {
  return VERSIONS[version] !== undefined;
}

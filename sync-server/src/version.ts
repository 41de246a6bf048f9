/** The server's version, reported by /healthz and in logs. */
export const VERSION = '0.1.0';

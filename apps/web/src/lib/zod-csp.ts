/**
 * Zod compiles fast parsers with `new Function` after probing whether eval is allowed; under the
 * app's CSP (no 'unsafe-eval') that probe is refused and reported as a violation. Jitless mode
 * skips the probe. Imported first by main.tsx, before any schema parses.
 */
import { config } from 'zod';

config({ jitless: true });

/**
 * The command line of `npm run bench` (see run.ts for what each flag does): parsed into `Args`,
 * an unknown flag or server refused with an error.
 */
import { SERVER_KINDS, type ServerKind } from './servers.js';

export interface Args {
  quick: boolean;
  write: boolean;
  only: string[] | null;
  servers: ServerKind[];
  reps: number | null;
  keepData: boolean;
  caucusRoot: string | null;
  render: string | null;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    quick: false,
    write: false,
    only: null,
    servers: [...SERVER_KINDS],
    reps: null,
    keepData: false,
    caucusRoot: null,
    render: null,
  };
  for (const arg of argv) {
    const [flag, raw] = arg.split('=', 2) as [string, string | undefined];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--write') args.write = true;
    else if (flag === '--keep-data') args.keepData = true;
    else if (flag === '--only' && raw) args.only = raw.split(',');
    else if (flag === '--caucus-root' && raw) args.caucusRoot = raw;
    else if (flag === '--render' && raw) args.render = raw;
    else if (flag === '--reps' && raw) args.reps = Math.max(1, Number(raw) | 0);
    else if (flag === '--servers' && raw) {
      const kinds = raw.split(',');
      for (const k of kinds)
        if (!(SERVER_KINDS as readonly string[]).includes(k)) throw new Error(`unknown server ${k}`);
      args.servers = SERVER_KINDS.filter((k) => kinds.includes(k));
    } else throw new Error(`unknown argument ${arg}`);
  }
  return args;
}

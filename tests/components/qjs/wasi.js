// A QuickJS component using WASI 0.2 directly: arguments and environment, both clocks,
// random, a file read and one written in a preopened directory, stderr, and the exit
// status through wasi:cli/exit. Prints only what does not change between runs.
import { getStdout } from 'wasi:cli/stdout@0.2.12';
import { getStderr } from 'wasi:cli/stderr@0.2.12';
import { exit } from 'wasi:cli/exit@0.2.12';
import { getEnvironment, getArguments } from 'wasi:cli/environment@0.2.12';
import { now as monotonicNow } from 'wasi:clocks/monotonic-clock@0.2.12';
import { now as wallNow } from 'wasi:clocks/wall-clock@0.2.12';
import { getRandomBytes } from 'wasi:random/random@0.2.12';
import { getDirectories } from 'wasi:filesystem/preopens@0.2.12';

// QuickJS has no TextEncoder/TextDecoder: UTF-8 through the URI functions.
const utf8 = (s) => Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));
const text = (bytes) => decodeURIComponent(escape(String.fromCharCode(...bytes)));

// Handles are taken at run time: the module's top level runs at build time (componentize-qjs
// snapshots it), and a handle from then would not exist in the running instance.
const say = (line) => getStdout().blockingWriteAndFlush(utf8(line + '\n'));

export const run = {
  run() {
    const args = getArguments();
    say(`args ${args.slice(1).join(',')}`);
    say(`env ${getEnvironment().map(([k, v]) => `${k}=${v}`).join(' ')}`);
    const t0 = monotonicNow();
    const t1 = monotonicNow();
    say(`clocks ${t1 >= t0} ${wallNow().seconds > 1600000000}`);
    const bytes = getRandomBytes(32);
    say(`random ${bytes.length} ${bytes.some((b) => b !== 0)}`);
    for (const [dir, name] of getDirectories()) {
      const file = dir.openAt({}, 'data.txt', {}, { read: true });
      const [data] = file.read(100, 0);
      say(`read ${name}/data.txt: ${text(data).trim()}`);
      const out = dir.openAt({}, 'out.txt', { create: true, truncate: true }, { write: true });
      out.write(utf8('written by QuickJS\n'), 0);
      say(`wrote ${name}/out.txt`);
    }
    getStderr().blockingWriteAndFlush(utf8('to stderr\n'));
    if (args.includes('fail')) exit({ tag: 'err' });
  },
};

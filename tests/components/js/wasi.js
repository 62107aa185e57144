// A JavaScript component using WASI 0.2 directly: environment, both clocks, random, and a
// file read from a preopened directory. Prints only what does not change between runs.
import { getDirectories } from 'wasi:filesystem/preopens@0.2.12';
import { getEnvironment, getArguments } from 'wasi:cli/environment@0.2.12';
import { now as monotonicNow } from 'wasi:clocks/monotonic-clock@0.2.12';
import { now as wallNow } from 'wasi:clocks/wall-clock@0.2.12';
import { getRandomBytes } from 'wasi:random/random@0.2.12';

export const run = {
  run() {
    const env = getEnvironment().map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`args ${getArguments().length - 1}, env ${env}`);
    const t0 = monotonicNow();
    const t1 = monotonicNow();
    console.log(`clocks ${t1 >= t0} ${wallNow().seconds > 1600000000n}`);
    console.log(`random ${getRandomBytes(16n).length}`);
    for (const [dir, name] of getDirectories()) {
      const file = dir.openAt({}, 'data.txt', {}, { read: true });
      const [bytes] = file.read(100n, 0n);
      console.log(`file ${name}/data.txt: ${new TextDecoder().decode(bytes).trim()}`);
    }
  },
};

// The smallest QuickJS command component: one line through wasi:cli/stdout (QuickJS has no
// console of its own).
import { getStdout } from 'wasi:cli/stdout@0.2.12';

// QuickJS has no TextEncoder/TextDecoder: UTF-8 through the URI functions.
const utf8 = (s) => Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));

export const run = {
  run() {
    getStdout().blockingWriteAndFlush(utf8('Hello from QuickJS!\n'));
  },
};

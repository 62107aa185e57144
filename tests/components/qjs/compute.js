// Work for the QuickJS interpreter itself (the engine runs QuickJS's bytecode loop): JSON,
// regular expressions, sorting, Map/Set, BigInt, closures, exceptions, typed arrays, string
// building. Every line is deterministic; the test compares them all.
import { getStdout } from 'wasi:cli/stdout@0.2.12';

// QuickJS has no TextEncoder/TextDecoder: UTF-8 through the URI functions.
const utf8 = (s) => Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));

// Handles are taken at run time: the module's top level runs at build time (componentize-qjs
// snapshots it), and a handle from then would not exist in the running instance.
const say = (line) => getStdout().blockingWriteAndFlush(utf8(line + '\n'));

function primes(n) {
  const sieve = new Uint8Array(n + 1);
  const out = [];
  for (let i = 2; i <= n; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j <= n; j += i) sieve[j] = 1;
  }
  return out;
}

function fib(n) {
  let a = 0n, b = 1n;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

export const run = {
  run() {
    const p = primes(100000);
    say(`primes ${p.length} last ${p[p.length - 1]}`);
    say(`fib(200) ${fib(200)}`);
    const doc = JSON.parse('{"users":[{"name":"ada","age":36},{"name":"alan","age":41},{"name":"grace","age":85}]}');
    doc.users.sort((x, y) => y.age - x.age);
    say(`json ${JSON.stringify(doc.users.map((u) => u.name))}`);
    const words = 'the quick brown fox jumps over the lazy dog the end'.split(/\s+/);
    const counts = new Map();
    for (const w of words) counts.set(w, (counts.get(w) || 0) + 1);
    say(`words ${[...counts].filter(([, c]) => c > 1).map(([w, c]) => `${w}:${c}`).join(' ')} unique ${new Set(words).size}`);
    say(`regex ${'2026-12-07, 1999-01-31'.replace(/(\d+)-(\d+)-(\d+)/g, '$3.$2.$1')}`);
    let caught = '';
    try {
      null.field;
    } catch (e) {
      caught = e instanceof TypeError ? 'TypeError' : String(e);
    }
    say(`exception ${caught}`);
    const adders = [1, 2, 3].map((k) => (x) => x + k);
    say(`closures ${adders.map((f) => f(10)).join(',')}`);
    let s = '';
    for (let i = 0; i < 10000; i++) s += String.fromCharCode(97 + (i % 26));
    say(`string ${s.length} ${s.slice(0, 5)}${s.slice(-3)}`);
    say(`math ${Math.round(Math.sqrt(2) * 1e6)} ${(0.1 + 0.2).toFixed(17)} ${2 ** 53 + 1}`);
  },
};

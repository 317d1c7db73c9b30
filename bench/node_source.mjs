// What a source written in JS costs, and whether the event loop stays responsive while the
// engine calls into it: one 60-symbol scan over the same bars and chains through
// MemoryMarket (built once) and through a JS object source (async priceHistory returning
// typed arrays and Dates, sync optionChain returning records), with and without backtests.
// A 5 ms setInterval runs during each scan; the gaps between its ticks are the event loop's
// stalls. Symbols are the host-market fixture's four under numbered names. Build the addon
// in release first:
//
//   (cd bindings-node && npx napi build --platform --release)
//   node bench/node_source.mjs [--runs 5]
//
// Prints a Markdown table (the one quoted in README.md): medians over the runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = path.join(here, '..', 'bindings-node', '__test__');
const { optscan } = await import(pathToFileURL(path.join(tests, 'helpers.mjs')));
const { AS_OF, memoryInput } = await import(pathToFileURL(path.join(tests, 'fixture.mjs')));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });

const input = memoryInput();
const symbols = Array.from({ length: 60 }, (_, i) => `${['ALFA', 'BRAV', 'CHAR', 'DELT'][i % 4]}${i}`);
const base = (s) => s.replace(/\d+$/, '');
const columns = (records) => ({
  date: records.map((r) => new Date(`${r.date}T00:00:00Z`)),
  open: Float64Array.from(records, (r) => r.open),
  high: Float64Array.from(records, (r) => r.high),
  low: Float64Array.from(records, (r) => r.low),
  close: Float64Array.from(records, (r) => r.close),
  volume: Float64Array.from(records, (r) => r.volume),
});
const jsSource = {
  universe: async () => symbols,
  priceHistory: async (s) => columns(input.histories[base(s)]),
  optionChain: (s) => input.chains[base(s)],
};
const memory = new optscan.MemoryMarket({
  histories: Object.fromEntries(symbols.map((s) => [s, input.histories[base(s)]])),
  chains: Object.fromEntries(symbols.map((s) => [s, input.chains[base(s)]])),
});

async function once(source, backtest) {
  const gaps = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 5);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await new optscan.Scanner(source, { maxSymbols: 60, backtest }).scan({ asOf: AS_OF });
  const wall = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu0);
  clearInterval(timer);
  if (r.metadata.failedSymbols.length) throw new Error(JSON.stringify(r.metadata.failedSymbols));
  gaps.sort((a, b) => a - b);
  return { wall, cpu: (user + system) / 1000, max: gaps.at(-1) ?? wall, p99: gaps[Math.floor(gaps.length * 0.99)] ?? wall, ticks: gaps.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await once(memory, false); // warm-up
console.log(`60-symbol scan, median of ${values.runs} runs; event-loop gaps of a 5 ms interval timer:\n`);
console.log('| source | backtests | wall (ms) | CPU (ms, all threads) | max gap (ms) | p99 gap (ms) | ticks |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const backtest of [false, true]) {
  for (const [name, source] of [['MemoryMarket', memory], ['JS object source', jsSource]]) {
    const runs = [];
    for (let i = 0; i < Number(values.runs); i++) runs.push(await once(source, backtest));
    const m = (k) => median(runs.map((r) => r[k])).toFixed(k === 'ticks' ? 0 : 1);
    console.log(`| ${name} | ${backtest ? 'on' : 'off'} | ${m('wall')} | ${m('cpu')} | ${m('max')} | ${m('p99')} | ${m('ticks')} |`);
  }
}

// Math on Float64Array against API.md's reference point, parity, finite differences and
// an implied-volatility round trip; broadcasting and invalid rows.
import test from 'node:test';
import assert from 'node:assert/strict';
import { optscan, thrownBy } from './helpers.mjs';

const REF = { isCall: true, spot: 100, strike: 100, years: 0.5, rate: 0.05, vol: 0.25, dividendYield: 0.02 };
// API.md §1 reference values (call, S=100, K=100, T=0.5, r=0.05, q=0.02, σ=0.25).
const EXPECTED = {
  price: 7.683040827874606, delta: 0.5631097179260998, gamma: 0.022010250159397168,
  vega: 27.512812699246464, theta: -8.183380287196185, rho: 24.313965482367685,
  epsilon: -28.155485896304988, vanna: 0.005502562539849315, charm: -0.05614419675463184,
  vomma: -0.06740639111315412, speed: -0.0004358029531560639, zomma: -0.08809492575047918,
  color: 0.02311103779549402, ultima: -12.947364510607157, lambda: 7.329255831663663,
  probItm: 0.4985895289796125,
};

test('blackScholes matches the API reference point for every greek', async () => {
  const g = await optscan.blackScholes(REF);
  for (const [k, v] of Object.entries(EXPECTED)) {
    assert.ok(g[k] instanceof Float64Array, k);
    assert.ok(Math.abs(g[k][0] - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${k}: ${g[k][0]} vs ${v}`);
  }
});

test('sync and Promise forms agree', async () => {
  const a = optscan.blackScholesSync(REF);
  const b = await optscan.blackScholes(REF);
  assert.deepEqual(Array.from(a.price), Array.from(b.price));
});

test('put-call parity holds across a broadcast strike grid', async () => {
  const strike = new Float64Array([80, 90, 100, 110, 120]);
  const base = { spot: 100, strike, years: 0.75, rate: 0.03, vol: 0.3, dividendYield: 0.01 };
  const c = await optscan.blackScholes({ ...base, isCall: 'call' });
  const p = await optscan.blackScholes({ ...base, isCall: 'put' });
  for (let i = 0; i < strike.length; i++) {
    const parity = 100 * Math.exp(-0.01 * 0.75) - strike[i] * Math.exp(-0.03 * 0.75);
    assert.ok(Math.abs(c.price[i] - p.price[i] - parity) < 1e-10);
  }
});

test('delta is the finite-difference slope of price', async () => {
  const h = 1e-4;
  const spot = new Float64Array([100 - h, 100, 100 + h]);
  const g = await optscan.blackScholes({ ...REF, spot });
  const fd = (g.price[2] - g.price[0]) / (2 * h);
  assert.ok(Math.abs(fd - g.delta[1]) < 1e-7);
});

test('impliedVolatility recovers the volatility that priced each option', async () => {
  const vol = new Float64Array([0.1, 0.25, 0.6]);
  const isCall = new Uint8Array([1, 0, 1]);
  const priced = await optscan.blackScholes({ ...REF, isCall, vol });
  const iv = await optscan.impliedVolatility({ ...REF, isCall, price: priced.price });
  assert.ok(iv.vol instanceof Float64Array && iv.status instanceof Int8Array);
  for (let i = 0; i < 3; i++) {
    assert.equal(iv.status[i], 0);
    assert.ok(Math.abs(iv.vol[i] - vol[i]) < 1e-8);
  }
  const sync = optscan.impliedVolatilitySync({ ...REF, isCall, price: priced.price });
  assert.deepEqual(Array.from(sync.vol), Array.from(iv.vol));
});

test('invalid rows give NaN and status 4, not an error', async () => {
  const g = await optscan.blackScholes({ ...REF, spot: new Float64Array([100, -1]) });
  assert.ok(Number.isFinite(g.price[0]) && Number.isNaN(g.price[1]));
  const iv = await optscan.impliedVolatility({ ...REF, price: new Float64Array([5, 0.0001]), spot: new Float64Array([0, 100]) });
  assert.equal(iv.status[0], 4);
  assert.ok(Number.isNaN(iv.vol[0]));
  assert.equal(iv.status[1], 1, '0.0001 is below the intrinsic value of this call');
  assert.deepEqual(optscan.ivStatusNames(), ['ok', 'below_intrinsic', 'above_maximum', 'no_time_value', 'invalid_input']);
});

test('shape and type errors throw InvalidInput synchronously', () => {
  const e = thrownBy(() => optscan.blackScholes({ ...REF, spot: new Float64Array(2), strike: new Float64Array(3) }));
  assert.equal(e.code, 'InvalidInput');
  assert.match(e.message, /broadcast/);
  assert.equal(thrownBy(() => optscan.blackScholesSync({ ...REF, isCall: 'straddle' })).code, 'InvalidInput');
  assert.equal(thrownBy(() => optscan.blackScholesSync({ ...REF, isCall: new Uint8Array([2]) })).code, 'InvalidInput');
});

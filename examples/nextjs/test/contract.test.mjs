// The original page's contract checked on responses built from real scans without a server:
// the contract checker itself (it must reject what the original page mis-rendered) and the
// route's splice of the original's cache fields. The e2e test checks the served responses.
import test from 'node:test';
import assert from 'node:assert/strict';
import { violations } from '../contract/check.mjs';

test('the checker rejects the shapes the original page mis-rendered', () => {
  const ok = {
    portfolio: 100000, contracts: 13, capitalAtRisk: 2463.5, allocationPercent: 0.024635,
  };
  const doc = (ex) => ({ success: true, totalEvaluated: 1, metadata: {}, opportunities: [{ positionSizing: { capitalAllocationExamples: [ex] } }] });
  assert.ok(!violations(doc(ok)).some((v) => v.includes('capitalAllocationExamples')));
  assert.ok(violations(doc({ ...ok, allocationPercent: 2.4635 })).some((v) => v.includes('allocationPercent')));
  assert.ok(violations({ success: true, totalEvaluated: 0, opportunities: [], metadata: {} }).some((v) => v.includes('cacheStale: missing')));
  const stage = { strictMode: true, mode: 'strict', available: true, candidateCount: 3, applied: false, appliedStage: null, stages: { liquidity: 3, topVolume: 1 } };
  assert.ok(violations(stage, 'relaxedScan').some((v) => v.includes('stages.liquidity')));
});

// Shared test helpers: load the built addon and locate the real data beside the repository.
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const optscan = createRequire(import.meta.url)('../index.js');

/** The shared data folder (OPTSCAN_SHARED_DATA, else ../shared/data beside the repo), or null. */
export function sharedData() {
  const dir = process.env.OPTSCAN_SHARED_DATA ?? path.join(here, '..', '..', '..', 'shared', 'data');
  return fs.existsSync(dir) ? dir : null;
}

/** Await `p`, return the rejection (fails when it resolves). */
export async function rejectionOf(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Call `f`, return what it throws (fails when it returns). */
export function thrownBy(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

export const ERROR_CODES = ['InvalidInput', 'NotFound', 'DataSource', 'RateLimited', 'Timeout', 'Database', 'Busy', 'Cancelled', 'Internal'];

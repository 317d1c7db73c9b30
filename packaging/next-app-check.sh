#!/usr/bin/env bash
# Proves the npm tarballs work the way a user meets them: a Next.js app created here from
# nothing but registry packages (not the repository's example), with the packed `optscan`
# root package and its linux-x64-gnu platform package installed from dist/. Its route imports
# `optscan` and serves a scan from the cache; `next build` and `next start` must both pass,
# and the second request must be answered from the cache the first one filled.
set -euo pipefail
cd "$(dirname "$0")/.."

dist=$(cd "${DIST:-dist}" && pwd)
version=$(node -p "require('./bindings-node/package.json').version")
root_tgz="$dist/optscan-$version.tgz"
gnu_tgz="$dist/optscan-linux-x64-gnu-$version.tgz"
for f in "$root_tgz" "$gnu_tgz"; do test -s "$f" || { echo "missing $f: run make dist first" >&2; exit 1; }; done
# Same Next.js and React versions as the example app, so the registry cache is shared.
dep() { node -p "require('./examples/nextjs/package.json').dependencies['$1']"; }
next_v=$(dep next) react_v=$(dep react) react_dom_v=$(dep react-dom)

work=$(mktemp -d)
server=
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
app="$work/app"
mkdir -p "$app/app/api/scan"
cd "$app"

cat > package.json <<JSON
{
  "name": "fresh-optscan-app",
  "private": true,
  "scripts": { "build": "next build", "start": "next start" },
  "dependencies": {
    "next": "$next_v",
    "react": "$react_v",
    "react-dom": "$react_dom_v",
    "optscan": "file:$root_tgz",
    "optscan-linux-x64-gnu": "file:$gnu_tgz"
  }
}
JSON
cat > next.config.mjs <<'JS'
// The addon is a native module: Node must load the .node file itself, not the bundler.
export default { serverExternalPackages: ['optscan'] };
JS
cat > app/layout.js <<'JS'
export default function RootLayout({ children }) {
  return (<html lang="en"><body>{children}</body></html>);
}
JS
cat > app/page.js <<'JS'
export default function Home() {
  return <p>GET /api/scan</p>;
}
JS
cat > app/api/scan/route.js <<'JS'
// One store per server process; a miss runs one live scan, later requests read the cache.
import { ScanStore, Scanner, SyntheticMarket } from 'optscan';

export const dynamic = 'force-dynamic';
const g = globalThis;

export async function GET() {
  g.store ??= ScanStore.open(process.env.OPTSCAN_DB);
  const store = await g.store;
  const scanner = new Scanner(new SyntheticMarket({ seed: 7, symbols: 12 }), { filterMode: 'strict' });
  const c = await store.serve({ scanner, filterMode: 'strict', maxAgeMinutes: 60 });
  return Response.json({
    source: c.source,
    ageMinutes: c.ageMinutes,
    scanId: c.result.scanId,
    opportunities: c.result.opportunities.length,
  });
}
JS

export NEXT_TELEMETRY_DISABLED=1
echo "== npm install (fresh app, optscan from the packed tarballs)"
npm install --no-audit --no-fund --ignore-scripts --loglevel=error
# Only the two packed optscan packages may be installed, both from dist/ (never the registry).
node -e '
const lock = require("./package-lock.json");
const ours = Object.entries(lock.packages).filter(([p]) => /node_modules\/optscan/.test(p));
const names = ours.map(([p]) => p).sort();
const want = ["node_modules/optscan", "node_modules/optscan-linux-x64-gnu"];
if (JSON.stringify(names) !== JSON.stringify(want)) throw new Error("unexpected optscan packages: " + names);
for (const [p, v] of ours) if (!String(v.resolved).startsWith("file:")) throw new Error(p + " not from dist: " + v.resolved);
console.log("installed from tarballs:", names.join(", "));'

echo "== next build"
npx next build

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
echo "== next start on 127.0.0.1:$port"
# next itself, not through npx, so that $! is the server and the cleanup stops it.
OPTSCAN_DB="sqlite://$work/fresh.db" node_modules/.bin/next start -H 127.0.0.1 -p "$port" > "$work/server.log" 2>&1 &
server=$!
PORT=$port node -e '
const url = `http://127.0.0.1:${process.env.PORT}/api/scan`;
const get = async () => { const r = await fetch(url); const t = await r.text(); if (!r.ok) throw new Error(r.status + " " + t); return JSON.parse(t); };
(async () => {
  const until = Date.now() + 60000;
  let first;
  for (;;) {
    try { first = await get(); break; } catch (e) { if (Date.now() > until) throw e; await new Promise(r => setTimeout(r, 500)); }
  }
  const second = await get();
  console.log("first:", JSON.stringify(first));
  console.log("second:", JSON.stringify(second));
  if (first.source !== "live" || !(first.opportunities > 0)) throw new Error("first request should run one live scan with results");
  if (second.source !== "cache" || second.scanId !== first.scanId) throw new Error("second request should be served from the cache");
  console.log("fresh Next.js app: build, start and a cached scan served: ok");
})().catch(e => { console.error(e); process.exit(1); });' || { cat "$work/server.log"; exit 1; }

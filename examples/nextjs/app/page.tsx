// The opportunities of the newest strict scan, with how old the cache is.
import { store } from '../lib/optscan';

export const dynamic = 'force-dynamic';

export default async function Page() {
  const c = await (await store()).latest({ filterMode: 'strict' });
  if (!c) return <main><h1>optscan</h1><p>No scan cached yet: run <code>optscan worker</code>.</p></main>;
  const minutes = Math.floor(c.ageMinutes);
  return (
    <main>
      <h1>optscan — {c.result.opportunities.length} opportunities</h1>
      <p>Last updated: {minutes} minutes ago</p>
      <table>
        <thead><tr><th>Symbol</th><th>Type</th><th>Strike</th><th>Expiration</th><th>Premium</th><th>PoP %</th><th>Score</th></tr></thead>
        <tbody>
          {c.result.opportunities.map((o) => (
            <tr key={String(o.contractSymbol ?? `${o.symbol}-${o.strike}-${o.expiration}`)}>
              <td>{String(o.symbol)}</td><td>{String(o.optionType)}</td><td>{Number(o.strike).toFixed(2)}</td>
              <td>{String(o.expiration)}</td><td>{Number(o.premium).toFixed(0)}</td>
              <td>{Number(o.probabilityOfProfit).toFixed(1)}</td><td>{Number(o.score).toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

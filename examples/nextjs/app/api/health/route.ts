// GET /api/health — liveness for a load balancer: answers without touching the database
// (a database outage shows as 503s on the data routes, not as a dead process).
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ ok: true, uptimeSeconds: Math.round(process.uptime()) }, { headers: { 'Cache-Control': 'no-store' } });
}

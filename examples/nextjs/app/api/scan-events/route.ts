// GET /api/scan-events — Server-Sent Events: one `scan` event per newly saved scan.
import type { ScanSubscription } from 'optscan';
import { statusFor, store } from '../../../lib/optscan';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  let subscription: ScanSubscription;
  try {
    subscription = await (await store()).subscribe();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
  const sub = subscription[Symbol.asyncIterator]();
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(enc.encode(': subscribed\n\n'));
      req.signal.addEventListener('abort', () => void sub.return(undefined));
      try {
        for (let n = await sub.next(); !n.done; n = await sub.next()) {
          const notice = n.value;
          controller.enqueue(enc.encode(`event: scan\ndata: ${JSON.stringify(notice)}\n\n`));
        }
      } catch {
        // The client went away or the store closed; end the stream.
      }
      try { controller.close(); } catch { /* already closed */ }
    },
    cancel() {
      void sub.return(undefined);
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive' },
  });
}

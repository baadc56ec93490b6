// A scripted OpenAI-compatible server for end-to-end tests and manual runs. It serves the
// built widget (dist/) and answers POST /v1/chat/completions by following the seed's refund
// conversation, streaming SSE in small pieces: a policy question ("how long …") asks for
// search_help first and is answered by quoting the passage the search gave; GET /__requests lists what it was sent. A
// customer message containing `fault:NAME` gets one of the scripted provider faults in FAULTS
// instead (a stall, a cut stream, a corrupt event, an in-stream error). Listens on 127.0.0.1
// only.
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Picks the reply for a request: `{ text }` or `{ call: { name, arguments } }`. */
export function script(messages) {
  const last = messages[messages.length - 1] ?? {};
  if (last.role === 'tool') {
    const result = JSON.parse(last.content);
    if (Array.isArray(result.results)) return quoteHelp(result.results);
    const action = actionReply(result);
    if (action) return action;
    const order = result;
    return order.error
      ? { text: "I couldn't find that order. Could you check the order ID?" }
      : { text: `I found your order for ${order.item}. The refund is currently ${order.status}.` };
  }
    const said = String(last.content ?? '');
  const bench = said.match(/^bench (\d+)$/);
  if (bench) return { text: Array.from({ length: Number(bench[1]) }, (_, n) => `w${n}`).join(' ') };
  const act = actionCall(said);
  if (act) return act;
  const id = said.match(/ORD-\d+/i);
  if (id) return { call: { name: 'lookup_order', arguments: JSON.stringify({ order_id: id[0].toUpperCase() }) } };
  if (/how long/i.test(said)) return { call: { name: 'search_help', arguments: JSON.stringify({ query: said }) } };
  if (/refund/i.test(said)) return { text: 'I can help with that. Could you please provide your order ID?' };
  return { text: 'How can I help you today?' };
}

/**
 * Calls to the tools that act: "refund ORD-1004 …" and "cancel ORD-1002 …" propose the change,
 * "talk to a person" a hand-off, and "agree ORD-A ORD-B" is a model that claims the customer
 * already agreed and asks for two changes at once.
 */
export function actionCall(said) {
  const reason = 'It stopped working';
  const agree = said.match(/^agree (ORD-\d+) (ORD-\d+)/i);
  if (agree) {
    return {
      calls: [
        { name: 'request_refund', arguments: JSON.stringify({ order_id: agree[1], reason: 'The customer already agreed to this; no confirmation is needed' }) },
        { name: 'cancel_order', arguments: JSON.stringify({ order_id: agree[2], reason: 'The customer said yes' }) },
      ],
    };
  }
  const change = said.match(/^(refund|cancel) (ORD-\d+)/i);
  if (change) {
    const name = change[1].toLowerCase() === 'refund' ? 'request_refund' : 'cancel_order';
    return { call: { name, arguments: JSON.stringify({ order_id: change[2].toUpperCase(), reason }) } };
  }
  if (/talk to a person/i.test(said)) {
    return { call: { name: 'handoff_to_human', arguments: JSON.stringify({ summary: 'The customer wants a person to look at a broken monitor.' }) } };
  }
  return null;
}

/** What the model says after an action's result: only what the result itself says. */
export function actionReply(result) {
  if (result.ticket) return { text: `I've passed this to our team (reference ${result.ticket.reference || 'none'}).` };
  if (result.customer_choice === 'declined') return { text: 'All right, I have not changed anything.' };
  if (result.customer_choice === 'none') return { text: 'Nothing was changed.' };
  if (result.changed === true) return { text: `Done: order ${result.order_id} is now ${result.status}.` };
  if (result.changed === false) return { text: `That can't be done: ${result.reason ?? result.error}` };
  return null;
}

/** The answer to a policy question: the best passage search_help gave, quoted. */
export function quoteHelp(results) {
  const best = results[0];
  if (!best) return { text: "Our help articles don't cover that, so I can't say for sure. Our support team can help: please contact them." };
  return { text: `From our help article "${best.title}" (${best.heading}):\n\n${best.text}` };
}

function chunk(delta, finish = null) {
  return `data: ${JSON.stringify({ id: 'chatcmpl-e2e', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** The SSE pieces of a reply. */
export function ssePieces(reply) {
  if (reply.calls) {
    const stamp = Date.now();
    const deltas = reply.calls.map((c, index) => ({ index, id: `call_e2e_${stamp}_${index}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    return [chunk({ role: 'assistant', tool_calls: deltas }), chunk({}, 'tool_calls'), 'data: [DONE]\n\n'];
  }
  if (reply.call) {
    const args = reply.call.arguments;
    const half = Math.floor(args.length / 2);
    return [
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_e2e_' + Date.now(), type: 'function', function: { name: reply.call.name, arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ];
  }
  const words = reply.text.match(/\S+\s*/g) ?? [];
  return [chunk({ role: 'assistant', content: '' }), ...words.map((w) => chunk({ content: w })), chunk({}, 'stop'), 'data: [DONE]\n\n'];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `fault:NAME` in the customer's last message, when the last message is theirs. */
export function faultOf(messages) {
  const last = messages.at(-1);
  if (last?.role !== 'user') return null;
  return String(last.content ?? '').match(/\bfault:([a-z0-9-]+)/)?.[1] ?? null;
}

/** The text a faulty reply starts with; the faults cut it after CUT_WORDS words. */
export const FAULT_TEXT = 'Your refund was approved on Monday and should reach your account within five days.';
export const CUT_WORDS = 5;

const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' };
const errorEvent = (error) => `data: ${JSON.stringify({ error })}\n\n`;
const OVERLOADED = errorEvent({ message: 'Overloaded', type: 'overloaded_error' });
const RATE_LIMITED = errorEvent({ message: 'Rate limit reached', code: 429 });
/** In-stream errors with the other overload codes providers use. */
const UNAVAILABLE = errorEvent({ message: 'All workers are busy', code: 503 });
const OVERLOADED_529 = errorEvent({ message: 'Overloaded', code: 529 });
const RATE_LIMIT_EXCEEDED = errorEvent({ message: 'Rate limit exceeded', type: 'requests', code: 'rate_limit_exceeded' });
/** A `data:` line whose JSON breaks off: one corrupt event. */
const CORRUPT = 'data: {"id":"chatcmpl-e2e","choices":[{"index":0,"delta":{"content":"lost\n\n';

/**
 * Scripted provider faults: `(attempt, reply) => { status, pieces, then }`. `attempt` counts
 * requests with the same messages (1 for the first); `reply` is what `script` would have said.
 * `status` null sends no response at all; the headers go out after `headersAfterMs`; `pieces`
 * go out as SSE; `then` is `end` (close the body), `destroy` (break the connection) or `hang`
 * (send nothing more).
 */
export const FAULTS = {
  // No status, no headers: only the widget's first-byte time-out ends it.
  stall: () => ({ status: null }),
  // Headers after a second, then no body: the time-out counts from the request, not the headers.
  'stall-body': () => ({ status: 200, headersAfterMs: 1000, pieces: [], then: 'hang' }),
  // Some text, then nothing more: only an idle time-out ends it.
  'stall-text': () => ({ status: 200, pieces: textPieces().slice(0, 1 + CUT_WORDS), then: 'hang' }),
  // Some text, then the connection breaks or the body just ends.
  'cut-text': () => ({ status: 200, pieces: textPieces().slice(0, 1 + CUT_WORDS), then: 'destroy' }),
  'end-text': () => ({ status: 200, pieces: textPieces().slice(0, 1 + CUT_WORDS), then: 'end' }),
  // Half a tool call's arguments, then the connection breaks or the body ends.
  'cut-call': (attempt, reply) => ({ status: 200, pieces: ssePieces(reply).slice(0, 2), then: 'destroy' }),
  'end-call': (attempt, reply) => ({ status: 200, pieces: ssePieces(reply).slice(0, 2), then: 'end' }),
  // A good reply with one corrupt event in the middle.
  corrupt: () => {
    const pieces = textPieces();
    return { status: 200, pieces: [...pieces.slice(0, 3), CORRUPT, ...pieces.slice(3)], then: 'end' };
  },
  // In-stream errors in an HTTP-200 stream.
  overloaded: () => ({ status: 200, pieces: [textPieces()[0], OVERLOADED], then: 'end' }),
  'rate-limit-once': (attempt) => (attempt === 1
    ? { status: 200, pieces: [RATE_LIMITED], then: 'end' }
    : { status: 200, pieces: textPieces(), then: 'end' }),
  'unavailable-503': () => ({ status: 200, pieces: [textPieces()[0], UNAVAILABLE], then: 'end' }),
  'overloaded-529-once': (attempt) => (attempt === 1
    ? { status: 200, pieces: [OVERLOADED_529], then: 'end' }
    : { status: 200, pieces: textPieces(), then: 'end' }),
  'rate-limit-exceeded-once': (attempt) => (attempt === 1
    ? { status: 200, pieces: [RATE_LIMIT_EXCEEDED], then: 'end' }
    : { status: 200, pieces: textPieces(), then: 'end' }),
  'overloaded-after-text': () => ({ status: 200, pieces: [...textPieces().slice(0, 1 + CUT_WORDS), OVERLOADED], then: 'end' }),
};

function textPieces() {
  return ssePieces({ text: FAULT_TEXT });
}

/** Carries out a fault on `res`. */
async function serveFault(res, fault, cors, delayMs) {
  if (fault.status === null) return;
  if (fault.headersAfterMs) await sleep(fault.headersAfterMs);
  res.writeHead(fault.status, { ...cors, ...SSE_HEADERS });
  res.flushHeaders();
  for (const piece of fault.pieces) {
    res.write(piece);
    if (delayMs > 0) await sleep(delayMs);
  }
  if (fault.then === 'end') res.end();
  // Give the pieces time to leave before the connection breaks.
  else if (fault.then === 'destroy') setTimeout(() => res.destroy(), 50);
}

/** The files of `dist` compressed with brotli once, as a CDN would serve them. */
function precompress(dist) {
  const compressed = new Map();
  for (const path of readdirSync(dist, { recursive: true })) {
    const file = join(dist, path);
    if (!statSync(file).isFile()) continue;
    compressed.set(file, brotliCompressSync(readFileSync(file), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  return compressed;
}

/**
 * Starts the server; resolves to `{ url, requests, close }`. With `brotli`, files of `dist`
 * go out brotli-compressed to a browser that accepts it (compressed at start, not per request).
 */
export async function start({ dist, port = 0, delayMs = 15, brotli = false } = {}) {
  const requests = [];
  const compressed = brotli ? precompress(dist) : new Map();
  const server = createServer(async (req, res) => {
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'content-type, authorization' };
    if (req.method === 'OPTIONS') { res.writeHead(204, cors).end(); return; }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      let raw = '';
      for await (const piece of req) raw += piece;
      const body = JSON.parse(raw);
      requests.push({ body, authorization: req.headers.authorization ?? null });
      const reply = script(body.messages);
      const fault = FAULTS[faultOf(body.messages)];
      if (fault && body.stream) {
        const same = JSON.stringify(body.messages);
        const attempt = requests.filter((r) => JSON.stringify(r.body.messages) === same).length;
        await serveFault(res, fault(attempt, reply), cors, delayMs);
      } else if (body.stream) {
        res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        for (const piece of ssePieces(reply)) {
          res.write(piece);
          if (delayMs > 0) await sleep(delayMs);
        }
        res.end();
      } else {
        const message = reply.call
          ? { role: 'assistant', tool_calls: [{ id: 'call_json', type: 'function', function: reply.call }] }
          : { role: 'assistant', content: reply.text };
        res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ index: 0, message, finish_reason: reply.call ? 'tool_calls' : 'stop' }] }));
      }
      return;
    }
    if (req.method === 'GET' && req.url === '/__requests') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(requests));
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path === '/' ? 'index.html' : path);
    try {
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const br = /\bbr\b/.test(req.headers['accept-encoding'] ?? '') && compressed.get(file);
      if (br) res.writeHead(200, { 'Content-Type': type, 'Content-Encoding': 'br', Vary: 'Accept-Encoding' }).end(br);
      else res.writeHead(200, { 'Content-Type': type }).end(await readFile(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, requests, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? join(import.meta.dirname, '../../dist');
  const { url } = await start({ dist, port: Number(process.env.PORT ?? 8787) });
  console.log(`scripted server on ${url}; open ${url}/?endpoint=${url}/v1`);
}

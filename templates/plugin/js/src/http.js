// Blocking HTTP over wasi:http/outgoing-handler.
//
// Why not `fetch()`: the exports are synchronous, and `fetch` needs the event loop to run
// after the export has returned. Calling wasi:http directly and blocking on its pollable gives
// the answer inside the same call. The host enforces the limits (allowed_outbound, timeouts,
// budgets); a request it refuses comes back here as an HttpError.

import { handle } from 'wasi:http/outgoing-handler@0.2.12';
import { Fields, OutgoingBody, OutgoingRequest } from 'wasi:http/types@0.2.12';

export class HttpError extends Error {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The name of what a WASI call threw (`connection-refused`, `closed`, ...). */
function reason(caught) {
  const value = caught && typeof caught === 'object' && 'payload' in caught ? caught.payload : caught;
  return typeof value === 'string' ? value : (value?.tag ?? String(value));
}

const dispose = (resource) => resource?.[Symbol.dispose]?.();

/** Sends one request and reads the whole answer: `{ status, text }`. `method`: get, post... */
export function send(method, url, headers, body) {
  const m = /^(https?):\/\/([^/?#]+)(.*)$/.exec(url);
  if (!m) throw new HttpError(`bad URL ${JSON.stringify(url)}`);
  let future;
  try {
    const request = new OutgoingRequest(Fields.fromList(headers.map(([name, value]) => [name, encoder.encode(value)])));
    request.setMethod({ tag: method });
    request.setScheme({ tag: m[1] === 'https' ? 'HTTPS' : 'HTTP' });
    request.setAuthority(m[2]);
    request.setPathWithQuery(m[3] || '/');
    const outgoing = request.body();
    future = handle(request, undefined);
    if (body !== undefined) {
      const stream = outgoing.write();
      const bytes = encoder.encode(body);
      try {
        for (let at = 0; at < bytes.length; at += 4096) stream.blockingWriteAndFlush(bytes.subarray(at, at + 4096));
      } finally {
        dispose(stream); // the stream must be gone before the body is finished
      }
    }
    OutgoingBody.finish(outgoing, undefined);
  } catch (caught) {
    throw new HttpError(`request failed: ${reason(caught)}`);
  }

  const pollable = future.subscribe();
  pollable.block();
  dispose(pollable);
  const answer = future.get(); // option<result<result<incoming-response, error-code>>>
  if (answer?.tag !== 'ok') throw new HttpError('request failed: no response');
  if (answer.val.tag !== 'ok') throw new HttpError(`request failed: ${reason(answer.val.val)}`);
  const response = answer.val.val;

  const status = response.status();
  let incoming, stream;
  const chunks = [];
  let size = 0;
  try {
    incoming = response.consume();
    stream = incoming.stream();
    for (;;) {
      const chunk = stream.blockingRead(65536n);
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (caught) {
    // The end of the body is the stream's `closed` error.
    if (reason(caught) !== 'closed') throw new HttpError(`cannot read the response: ${reason(caught)}`);
  }
  [stream, incoming, response, future].forEach(dispose);
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return { status, text: decoder.decode(all) };
}

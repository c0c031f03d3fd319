// Blocking HTTP over `wasi:http/outgoing-handler`: just what a calendar client needs.
//
// Why not `fetch()`: the plugin's exports are synchronous functions, and `fetch` needs the
// event loop to run after the export returns. Calling wasi:http directly and blocking on its
// pollables gives an answer inside the same call. The host enforces the real limits
// (allowlist, timeouts, budgets); this module only turns its answers into JS values and its
// refusals into `HttpError`s.

import { handle } from 'wasi:http/outgoing-handler@0.2.12';
import { Fields, OutgoingBody, OutgoingRequest } from 'wasi:http/types@0.2.12';

/** Bodies larger than this are not read; the host caps them too. */
const MAX_BODY = 4 * 1024 * 1024;

export class HttpError extends Error {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a WASI call threw: the error-code variant's tag (`connection-refused`, `closed`...). */
function wasiCode(caught) {
  const value = caught && typeof caught === 'object' && 'payload' in caught ? caught.payload : caught;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof value.tag === 'string') return value.tag;
  return String(caught);
}

const dispose = (resource) => resource?.[Symbol.dispose]?.();

/**
 * Sends one request and reads the whole answer: `{ status, text }`.
 * `method` is `get`, `post` or `delete`; `headers` a list of [name, value]; `body` a string.
 */
export function send(method, url, headers, body) {
  const m = /^(https?):\/\/([^/]+)(\/.*)?$/.exec(url);
  if (!m) throw new HttpError(`bad URL ${JSON.stringify(url)}`);
  const [, scheme, authority, path] = m;

  let request;
  try {
    request = new OutgoingRequest(Fields.fromList(headers.map(([name, value]) => [name, encoder.encode(value)])));
  } catch (caught) {
    throw new HttpError(`cannot send request: ${wasiCode(caught)}`);
  }
  request.setMethod({ tag: method });
  request.setScheme({ tag: scheme === 'https' ? 'HTTPS' : 'HTTP' });
  request.setAuthority(authority);
  // Without a path the host refuses the request with `HTTP-protocol-error`.
  request.setPathWithQuery(path ?? '/');
  const outgoing = request.body();

  let future;
  try {
    future = handle(request, undefined);
  } catch (caught) {
    // Denied by the host (not in `allowed_outbound`), circuit open, budget spent...
    throw new HttpError(`request failed: ${wasiCode(caught)}`);
  }
  try {
    if (body !== undefined) {
      const stream = outgoing.write();
      const bytes = encoder.encode(body);
      try {
        for (let at = 0; at < bytes.length; at += 4096) stream.blockingWriteAndFlush(bytes.subarray(at, at + 4096));
      } finally {
        // The stream must be gone before the body is finished.
        dispose(stream);
      }
    }
    OutgoingBody.finish(outgoing, undefined);
  } catch (caught) {
    throw new HttpError(`request failed: ${wasiCode(caught)}`);
  }

  const pollable = future.subscribe();
  pollable.block();
  dispose(pollable);
  const outer = future.get();
  if (!outer || outer.tag === 'err') throw new HttpError('cannot send request: response already taken');
  if (outer.val.tag === 'err') throw new HttpError(`request failed: ${wasiCode(outer.val.val)}`);
  const response = outer.val.val;
  const status = response.status();

  let incoming;
  try {
    incoming = response.consume();
  } catch {
    throw new HttpError('cannot read response: no body');
  }
  const stream = incoming.stream();
  const chunks = [];
  let size = 0;
  for (;;) {
    let chunk;
    try {
      chunk = stream.blockingRead(65536n);
    } catch (caught) {
      if (wasiCode(caught) === 'closed') break;
      throw new HttpError(`cannot read response: ${wasiCode(caught)}`);
    }
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError('cannot read response: response too large');
  }
  dispose(stream);
  dispose(incoming);
  dispose(response);
  dispose(future);

  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return { status, text: decoder.decode(all) };
}

// The filesystem store's HTTP side: PUT and GET of signed URLs. A PUT is checked before a
// byte is read (signature, expiry, declared type and length), then streamed to disk through a
// counter that stops at the signed size: a body larger than declared is cut off with 413,
// a shorter one is discarded with 400, and nothing is ever held whole in memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response, type Router } from 'express';
import { attachmentDisposition, OBJECT_KEY } from './object-store';
import type { FilesystemStore } from './filesystem-store';
import { verifyUrl, type SignatureVerdict } from './url-signature';

class TooLarge extends Error {}

/** Passes at most `limit` bytes; one more and the stream fails. */
function byteLimit(limit: number, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      counted.bytes += chunk.length;
      if (counted.bytes > limit) callback(new TooLarge());
      else callback(null, chunk);
    },
  });
}

function refuse(res: Response, status: number, message: string): void {
  // The client may still be sending: close the connection rather than read the rest.
  res.setHeader('connection', 'close');
  res.status(status).json({ error: message });
}

const VERDICT_STATUS: Record<Exclude<SignatureVerdict, 'valid'>, [number, string]> = {
  tampered: [403, 'Invalid signature'],
  expired: [403, 'This URL has expired'],
};

function query(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value : '';
}

function keyOf(req: Request): string | null {
  const { org, issue, id } = req.params as Record<string, string>;
  const key = `${org}/${issue}/${id}`;
  return OBJECT_KEY.test(key) ? key : null;
}

export function filesystemRoutes(store: FilesystemStore, maxBytes: number): Router {
  const router = express.Router();

  router.put('/:org/:issue/:id', async (req, res) => {
    const key = keyOf(req);
    if (!key) return refuse(res, 404, 'Not found');
    const size = query(req, 'size');
    const type = query(req, 'type');
    const verdict = verifyUrl(store.secret, { method: 'PUT', key, expires: Number(query(req, 'expires')), terms: [size, type] }, query(req, 'signature'));
    if (verdict !== 'valid') return refuse(res, ...VERDICT_STATUS[verdict]);
    const declared = Number(size);
    if (!Number.isSafeInteger(declared) || declared < 0 || declared > maxBytes) return refuse(res, 413, 'Larger than the attachment limit');
    if ((req.headers['content-type'] ?? '').toLowerCase() !== type) return refuse(res, 400, `Content-Type must be ${type}`);
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) !== declared) return refuse(res, Number(length) > declared ? 413 : 400, `Content-Length must be ${declared}`);
    // Write-once: a completed object cannot be swapped through a URL that is still valid.
    if (await store.head(key)) return refuse(res, 409, 'This object has already been uploaded');
    const temporary = await store.temporaryPathFor(key);
    const counted = { bytes: 0 };
    try {
      await pipeline(req, byteLimit(declared, counted), createWriteStream(temporary));
    } catch (error) {
      await rm(temporary, { force: true });
      if (error instanceof TooLarge) return refuse(res, 413, `More than the ${declared} bytes declared`);
      return refuse(res, 400, 'Upload interrupted');
    }
    if (counted.bytes !== declared) {
      await rm(temporary, { force: true });
      return refuse(res, 400, `Received ${counted.bytes} bytes, ${declared} declared`);
    }
    await store.commit(key, temporary, { size: declared, contentType: type });
    res.status(200).end();
  });

  router.get('/:org/:issue/:id', async (req, res) => {
    const key = keyOf(req);
    if (!key) return refuse(res, 404, 'Not found');
    const name = query(req, 'name');
    const verdict = verifyUrl(store.secret, { method: 'GET', key, expires: Number(query(req, 'expires')), terms: [name] }, query(req, 'signature'));
    if (verdict !== 'valid') return refuse(res, ...VERDICT_STATUS[verdict]);
    const facts = await store.head(key);
    const file = facts && (await stat(store.pathOf(key)).catch(() => null));
    if (!facts || !file) return refuse(res, 404, 'Not found');
    res.setHeader('content-type', facts.contentType);
    res.setHeader('content-length', String(file.size));
    res.setHeader('content-disposition', attachmentDisposition(name));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'private, no-store');
    await pipeline(createReadStream(store.pathOf(key)), res).catch(() => res.destroy());
  });

  return router;
}

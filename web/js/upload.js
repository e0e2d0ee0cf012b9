// Sending a file to a material through the resumable upload API: the
// browser hashes the file (the server checks the SHA-256 at the end), asks
// for an upload, then sends it in pieces with PATCH and `Upload-Offset`.
// A broken connection costs only the piece in flight: the upload asks the
// server where it stands (HEAD) and goes on. The upload's id is kept in
// localStorage, so choosing the same file again after a closed tab or a
// crashed laptop resumes instead of starting over.

import { ApiError, authHeaders, gql } from './api.js';
import { sha256OfFile } from './sha256.js';

const PIECE = 2 * 1024 * 1024;

function keyOf(materialId, fileId, file) {
  return `lff.upload:${materialId}:${fileId || ''}:${file.name}:${file.size}:${file.lastModified}`;
}

const UPLOAD = 'id offset size url';

async function serverOffset(url) {
  const res = await fetch(url, { method: 'HEAD', headers: authHeaders() });
  if (!res.ok) throw new ApiError(res.status === 404 ? 'NOT_FOUND' : 'INTERNAL', `HTTP ${res.status}`);
  return Number(res.headers.get('Upload-Offset'));
}

function pause(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Gives up the upload of `file` to this material kept in this browser: the
 * server deletes what arrived, and choosing the file again starts anew.
 */
export async function cancelUploadOf({ materialId, fileId, file }) {
  const key = keyOf(materialId, fileId, file);
  const id = localStorage.getItem(key);
  localStorage.removeItem(key);
  if (id) await gql('mutation($id: ID!) { cancelUpload(id: $id) }', { id });
}

/**
 * Uploads `file` as a new file of the material (or a new version of
 * `fileId`). `onProgress(phase, done, total)` with phase `hashing`,
 * `sending` or `finishing`. Resolves to the new FileVersion.
 */
export async function uploadFile({ materialId, fileId, file, onProgress = () => {}, signal }) {
  const key = keyOf(materialId, fileId, file);
  let up = null;
  const saved = localStorage.getItem(key);
  if (saved) {
    try {
      up = (await gql(`query($id: ID!) { upload(id: $id) { ${UPLOAD} } }`, { id: saved })).upload;
    } catch {
      up = null;
    }
  }
  if (!up) {
    const sha256 = await sha256OfFile(file, (d, t) => onProgress('hashing', d, t));
    const input = { materialId, fileId: fileId || null, name: file.name, size: file.size, sha256 };
    if (file.type) input.contentType = file.type;
    up = (await gql(`mutation($i: StartUploadInput!) { startUpload(input: $i) { ${UPLOAD} } }`, { i: input }))
      .startUpload;
    localStorage.setItem(key, up.id);
  }
  let offset = Number(up.offset);
  let failures = 0;
  onProgress('sending', offset, file.size);
  while (offset < file.size) {
    if (signal?.aborted) throw signal.reason;
    const piece = file.slice(offset, offset + PIECE);
    try {
      const res = await fetch(up.url, {
        method: 'PATCH',
        headers: { ...authHeaders(), 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        body: piece,
        signal,
      });
      if (res.status === 409) {
        // The server has another offset (or still holds a dropped request):
        // go on from where it says, after a pause if it says nothing new.
        const said = Number(res.headers.get('Upload-Offset'));
        failures += 1;
        if (failures > 8) throw new ApiError('CONFLICT', 'HTTP 409');
        if (!Number.isFinite(said) || said === offset) {
          await pause(Math.min(15_000, 500 * 2 ** failures));
          offset = await serverOffset(up.url).catch(() => offset);
        } else {
          offset = said;
        }
        continue;
      }
      if (!res.ok) {
        let code = res.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL';
        try {
          code = (await res.json()).errors?.[0]?.extensions?.code || code;
        } catch {
          /* no body */
        }
        if (res.status === 404) localStorage.removeItem(key);
        throw new ApiError(code, `HTTP ${res.status}`);
      }
      const next = Number(res.headers.get('Upload-Offset'));
      offset = Number.isFinite(next) && next > 0 ? next : offset + piece.size;
      failures = 0;
      onProgress('sending', offset, file.size);
    } catch (e) {
      if (e instanceof ApiError || signal?.aborted) throw e;
      // The network failed mid-piece: wait, ask where we are, go on.
      failures += 1;
      if (failures > 8) throw new ApiError('NETWORK', e.message);
      await pause(Math.min(15_000, 500 * 2 ** failures));
      try {
        offset = await serverOffset(up.url);
      } catch {
        /* still offline: try again */
      }
    }
  }
  onProgress('finishing', file.size, file.size);
  const version = (
    await gql('mutation($id: ID!) { finishUpload(id: $id) { id number name size } }', { id: up.id })
  ).finishUpload;
  localStorage.removeItem(key);
  return version;
}

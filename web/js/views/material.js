// One material: its description, files with every version, previews
// (thumbnails, text found in documents), downloads, and — for those who
// may edit — uploads with progress that resume after a broken connection,
// and publishing.

import { ApiError, download, errorText, gql, imageUrl, signedUrl } from '../api.js';
import { add, fill, h, html, statusLine } from '../dom.js';
import { formatDateTime, formatSize, label, languageName, t } from '../i18n.js';
import { cancelUploadOf, uploadFile } from '../upload.js';

const V = 'id number name size contentType uploadedAt uploadedBy { displayName } url thumbnailUrl';
// Files come ten at a time, each with its five newest versions; the rest
// of a file's versions load on request.
const FILES = `files(first: 10, after: $after) { edges { cursor node { id name versionCount
  current { ${V} text(first: 400) } versions(first: 5) { edges { node { ${V} } } } } }
  pageInfo { hasNextPage endCursor } }`;
const Q = `query($id: ID!, $after: String) { material(id: $id) {
  id title summary bodyHtml kind languages subjects ageMin ageMax pillars sdgs licence authors
  status visibility canEdit createdAt updatedAt publishedAt
  school { id name } space { id title } folder { id name }
  goodPractice { context whatWasDone results evidence lessonsLearned }
  ${FILES} } }`;
const MORE_FILES = `query($id: ID!, $after: String) { material(id: $id) { ${FILES} } }`;
// One file's versions: the file that follows the cursor before it.
const VERSIONS = `query($id: ID!, $after: String) { material(id: $id) {
  files(first: 1, after: $after) { edges { node { versions(first: 50) { edges { node { ${V} } } } } } } } }`;

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const m = d.material;
  if (!m) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return null;
  }
  ctx.title(m.title);
  const lang = m.languages[0] || null;
  const status = statusLine();

  const where = m.space
    ? h('a', { href: `#/library/space/${m.space.id}` }, t('library.title', { name: m.space.title }))
    : m.school ? h('a', { href: `#/library/school/${m.school.id}` }, t('library.title', { name: m.school.name })) : null;

  const facts = h('dl', { class: 'facts' },
    h('dt', null, t('material.kind')), h('dd', null, label('MaterialKind', m.kind)),
    h('dt', null, t('material.languages')), h('dd', null, m.languages.map(languageName).join(', ') || '—'),
    m.subjects.length ? [h('dt', null, t('material.subjects')), h('dd', null, m.subjects.join(', '))] : null,
    m.ageMin || m.ageMax ? [h('dt', null, t('material.ages')), h('dd', null, `${m.ageMin ?? ''}–${m.ageMax ?? ''}`)] : null,
    m.pillars.length ? [h('dt', null, t('space.pillars')), h('dd', null, m.pillars.map((p) => label('Pillar', p)).join(', '))] : null,
    m.sdgs.length ? [h('dt', null, t('material.sdgs')), h('dd', { id: 'material-sdgs' }, m.sdgs.map((n) => t(`sdg.${n}`)).join('; '))] : null,
    h('dt', null, t('material.licence')), h('dd', null, label('Licence', m.licence)),
    m.authors.length ? [h('dt', null, t('material.authors')), h('dd', null, m.authors.join(', '))] : null,
    h('dt', null, t('material.visibility')), h('dd', null, label('Visibility', m.visibility)),
    h('dt', null, t('material.status')), h('dd', { id: 'material-status' }, label('MaterialStatus', m.status)),
    h('dt', null, t('material.updated')), h('dd', null, formatDateTime(m.updatedAt)));

  const gp = m.goodPractice
    ? h('section', { 'aria-labelledby': 'gp-h', lang }, h('h2', { id: 'gp-h' }, t('material.goodPractice')),
      Object.entries(m.goodPractice).filter(([k]) => k !== '__typename').map(([k, v]) => (v ? [h('h3', null, t(`material.gp.${k}`)), h('p', null, v)] : null)))
    : null;

  // The browser's own download: the file goes to disk as it arrives, with
  // the browser's progress and resumption, and never through this page.
  async function save(v, button) {
    const line = h('p', { class: 'upload-line', role: 'status' });
    if (button) button.after(line);
    try {
      await download(v.url, v.name);
      line.replaceChildren(t('material.downloadStarted', { name: v.name, size: formatSize(v.size) }));
      line.dataset.downloaded = v.name;
    } catch (e) {
      line.replaceChildren(errorText(e, t));
    }
  }

  function versionRow(v, current) {
    const btn = h('button', { type: 'button', class: 'quiet download', dataset: { version: v.id } },
      current ? t('material.download') : t('material.downloadVersion', { n: v.number }));
    btn.addEventListener('click', () => save(v, btn));
    return h('li', null,
      h('span', null, t('material.version', { n: v.number }), ' · ', v.name, ' · ', formatSize(v.size), ' · ',
        formatDateTime(v.uploadedAt), v.uploadedBy ? ` · ${v.uploadedBy.displayName}` : ''), ' ', btn);
  }

  function fileItem(f, before) {
    const v = f.current;
    const preview = h('div', { class: 'preview' });
    if (v.thumbnailUrl) {
      const img = h('img', { alt: t('material.previewOf', { name: v.name }), width: 160 });
      add(preview, img);
      imageUrl(v.thumbnailUrl).then((u) => {
        img.src = u;
      }).catch(() => img.remove());
    } else if (/^(video|audio)\//.test(v.contentType)) {
      add(preview, player(v));
    } else if (v.text) {
      add(preview, h('blockquote', { class: 'excerpt', lang }, v.text, v.text.length >= 400 ? '…' : ''));
    }
    const main = h('button', { type: 'button', class: 'download', dataset: { version: v.id } }, t('material.download'));
    main.addEventListener('click', () => save(v, main));
    const li = h('li', { class: 'file card', dataset: { file: f.id } },
      h('h3', null, f.name),
      h('p', { class: 'meta' }, t('material.version', { n: v.number }), ' · ', formatSize(v.size), ' · ', v.contentType),
      preview, main,
      f.versionCount > 1 ? versionList(f, before) : null);
    if (m.canEdit) add(li, uploader(f.id, t('material.newVersion')));
    return li;
  }

  function versionList(f, before) {
    const list = h('ul', { class: 'plain' }, f.versions.edges.map((e) => versionRow(e.node, false)));
    const all = f.versionCount > f.versions.edges.length && h('button', {
      type: 'button',
      class: 'quiet',
      onclick: async () => {
        try {
          const r = await gql(VERSIONS, { id: m.id, after: before });
          const edges = r.material.files.edges[0]?.node.versions.edges || [];
          fill(list, edges.map((e) => versionRow(e.node, false)));
          all.remove();
        } catch (e) {
          status.textContent = errorText(e, t);
        }
      },
    }, t('material.allVersions', { n: f.versionCount }));
    return h('details', null, h('summary', null, t('material.versions', { n: f.versionCount })), list, all || null);
  }

  function uploader(fileId, text) {
    const input = h('input', { type: 'file', class: 'file-input', id: `upload-${fileId || 'new'}`, multiple: !fileId });
    const progress = h('progress', { max: 100, value: 0, hidden: true });
    const line = h('p', { class: 'upload-status', role: 'status', 'aria-live': 'polite' });
    const cancel = h('button', { type: 'button', class: 'quiet upload-cancel', hidden: true }, t('upload.cancel'));
    let current = null;
    cancel.addEventListener('click', () => current?.abort());
    input.addEventListener('change', async () => {
      for (const file of input.files) {
        progress.hidden = false;
        progress.value = 0;
        const stop = new AbortController();
        current = stop;
        cancel.hidden = false;
        try {
          const v = await uploadFile({
            materialId: m.id,
            fileId,
            file,
            signal: stop.signal,
            onProgress: (phase, done, total) => {
              const pct = total ? Math.round((done / total) * 100) : 100;
              progress.value = pct;
              progress.setAttribute('aria-label', t(`upload.${phase}`, { name: file.name }));
              line.textContent = t(`upload.${phase}`, { name: file.name }) + ` ${pct}%`;
            },
          });
          line.textContent = t('upload.done', { name: v.name, n: v.number });
          line.dataset.done = v.name;
        } catch (e) {
          if (stop.signal.aborted) {
            // Given up: what reached the server is deleted there too.
            await cancelUploadOf({ materialId: m.id, fileId, file }).catch(() => {});
            line.textContent = t('upload.cancelled', { name: file.name });
            line.dataset.cancelled = file.name;
          } else {
            line.textContent = t('upload.failed', { name: file.name, why: errorText(e, t) });
          }
        }
      }
      current = null;
      cancel.hidden = true;
      progress.hidden = true;
      input.value = '';
      await refreshFiles();
    });
    return h('div', { class: 'uploader' }, h('label', { for: input.id }, text), input, progress, cancel, line);
  }

  const files = h('ul', { class: 'cards files', id: 'files' });
  const noFiles = h('p', { class: 'empty' }, t('material.noFiles'));
  const moreFiles = h('button', { type: 'button', class: 'quiet', id: 'more-files', hidden: true }, t('material.moreFiles'));
  let filesEnd = null;
  function showFiles(conn, replace) {
    let before = replace ? null : filesEnd;
    const items = conn.edges.map((e) => {
      const li = fileItem(e.node, before);
      before = e.cursor;
      return li;
    });
    if (replace) fill(files, items);
    else add(files, items);
    filesEnd = conn.pageInfo.endCursor || filesEnd;
    moreFiles.hidden = !conn.pageInfo.hasNextPage;
    noFiles.hidden = files.children.length > 0;
  }
  moreFiles.addEventListener('click', async () => {
    try {
      const r = await gql(MORE_FILES, { id: m.id, after: filesEnd });
      showFiles(r.material.files, false);
    } catch (e) {
      status.textContent = errorText(e, t);
    }
  });
  showFiles(m.files, true);
  async function refreshFiles() {
    const r = await gql(Q, { id: m.id, after: null });
    filesEnd = null;
    showFiles(r.material.files, true);
  }

  const actions = h('div', { class: 'toolbar' });
  if (m.canEdit) {
    const publish = h('button', {
      type: 'button',
      id: 'publish',
      onclick: async () => {
        try {
          const r = await gql('mutation($id: ID!, $p: Boolean!) { publishMaterial(id: $id, published: $p) { status } }',
            { id: m.id, p: m.status !== 'PUBLISHED' });
          m.status = r.publishMaterial.status;
          root.querySelector('#material-status').textContent = label('MaterialStatus', m.status);
          publish.textContent = m.status === 'PUBLISHED' ? t('material.unpublish') : t('material.publish');
          status.textContent = m.status === 'PUBLISHED' ? t('material.published') : t('material.unpublished');
        } catch (e) {
          status.textContent = errorText(e, t);
        }
      },
    }, m.status === 'PUBLISHED' ? t('material.unpublish') : t('material.publish'));
    add(actions, publish, h('a', { class: 'button quiet', href: `#/materials/${m.id}/edit`, id: 'edit-material' }, t('material.edit')));
  }

  add(root, 
    h('p', { class: 'crumbs' }, where),
    h('h1', { lang }, m.title),
    m.summary ? h('p', { class: 'lead', lang }, m.summary) : null,
    status,
    actions,
    h('div', { class: 'grid2' },
      h('div', null, m.bodyHtml ? html('div', { class: 'prose', lang }, m.bodyHtml) : null, gp),
      facts),
    h('section', { 'aria-labelledby': 'files-h' }, h('h2', { id: 'files-h' }, t('material.files')),
      noFiles, files, moreFiles,
      m.canEdit ? uploader(null, t('material.addFiles')) : null),
  );
  return null;
}

/**
 * A video or audio file played from a signed address: the player asks the
 * server for the ranges it needs. A link lasts a minute or two; when the
 * player's next request finds it expired, a fresh one takes its place and
 * playback goes on where it was.
 */
function player(v) {
  const media = h(v.contentType.startsWith('video/') ? 'video' : 'audio', {
    controls: true, preload: 'metadata', 'aria-label': t('material.playerOf', { name: v.name }),
  });
  if (media.tagName === 'VIDEO') media.width = 480;
  let renewing = false;
  const load = async () => {
    const at = media.currentTime;
    const playing = !media.paused;
    media.src = await signedUrl(v.url);
    if (at) media.currentTime = at;
    if (playing) media.play().catch(() => {});
  };
  media.addEventListener('error', () => {
    if (renewing || !media.src) return;
    renewing = true;
    load().catch(() => {}).finally(() => {
      setTimeout(() => { renewing = false; }, 5000);
    });
  });
  load().catch(() => media.replaceWith(h('p', { class: 'meta' }, t('material.noPreview'))));
  return media;
}

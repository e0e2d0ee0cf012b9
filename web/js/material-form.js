// The fields of a material (every field of the API's MaterialInput), for
// adding one and for editing it: what it is, for whom (ages, languages,
// subjects), what it serves (pillars of learning, Sustainable Development
// Goals), who made it, its licence and who may see it.

import { field, h } from './dom.js';
import { label, t } from './i18n.js';

export const KINDS = ['LESSON_PLAN', 'PRESENTATION', 'WORKSHEET', 'VIDEO', 'PROJECT_REPORT', 'GOOD_PRACTICE', 'OTHER'];
export const LICENCES = ['CC_BY', 'CC_BY_SA', 'CC_BY_NC', 'CC_0', 'ALL_RIGHTS_RESERVED'];
const PILLARS = ['LEARNING_TO_KNOW', 'LEARNING_TO_DO', 'LEARNING_TO_BE', 'LEARNING_TO_LIVE_TOGETHER'];
const GP = ['context', 'whatWasDone', 'results', 'evidence', 'lessonsLearned'];
const GP_IDS = { context: 'gp-context', whatWasDone: 'gp-done', results: 'gp-results', evidence: 'gp-evidence', lessonsLearned: 'gp-lessons' };

const list = (text, sep = ',') => text.split(sep).map((s) => s.trim()).filter(Boolean);

/**
 * The fields, filled from `m` (a material as the API reads it, or nothing
 * for a new one). A student keeps their work in the space: only staff
 * choose NETWORK or PUBLIC. `read()` gives the MaterialInput.
 */
export function materialFields(m, { student = false } = {}) {
  const title = h('input', { id: 'material-title', required: true, maxlength: 300, value: m?.title || '' });
  const summary = h('textarea', { id: 'material-summary', rows: 2 }, m?.summary || '');
  const body = h('textarea', { id: 'material-body', rows: 6 }, m?.body || '');
  const kind = h('select', { id: 'material-kind' },
    KINDS.map((k) => h('option', { value: k, selected: k === m?.kind }, label('MaterialKind', k))));
  const languages = h('input', { id: 'material-languages', required: true, value: (m?.languages || ['en']).join(', ') });
  const subjects = h('input', { id: 'material-subjects', value: (m?.subjects || []).join(', ') });
  const ageMin = h('input', { id: 'material-age-min', type: 'number', min: 3, max: 99, value: m?.ageMin ?? '' });
  const ageMax = h('input', { id: 'material-age-max', type: 'number', min: 3, max: 99, value: m?.ageMax ?? '' });
  const pillars = h('fieldset', { class: 'checks', id: 'material-pillars' }, h('legend', null, t('space.pillars')),
    PILLARS.map((p) => h('label', null,
      h('input', { type: 'checkbox', name: 'pillar', value: p, checked: (m?.pillars || []).includes(p) }), ' ', label('Pillar', p))));
  const sdgs = h('fieldset', { class: 'checks sdgs', id: 'material-sdgs' }, h('legend', null, t('material.sdgs')),
    Array.from({ length: 17 }, (_, i) => i + 1).map((n) => h('label', null,
      h('input', { type: 'checkbox', name: 'sdg', value: n, checked: (m?.sdgs || []).includes(n) }), ' ', t(`sdg.${n}`))));
  const authors = h('input', { id: 'material-authors', value: (m?.authors || []).join(', ') });
  const licence = h('select', { id: 'material-licence' },
    LICENCES.map((k) => h('option', { value: k, selected: k === m?.licence }, label('Licence', k))));
  const choices = student ? ['SPACE'] : ['SPACE', 'NETWORK', 'PUBLIC'];
  const chosen = m?.visibility || (student ? 'SPACE' : 'NETWORK');
  const visibility = h('select', { id: 'material-visibility' },
    choices.map((v) => h('option', { value: v, selected: v === chosen }, label('Visibility', v))));
  const gp = Object.fromEntries(GP.map((k) => [k, h('textarea', { id: GP_IDS[k], rows: 2 }, m?.goodPractice?.[k] || '')]));
  const gpBox = h('fieldset', { hidden: kind.value !== 'GOOD_PRACTICE' }, h('legend', null, t('material.goodPractice')),
    GP.map((k) => field(t(`material.gp.${k}`), gp[k])));
  kind.addEventListener('change', () => {
    gpBox.hidden = kind.value !== 'GOOD_PRACTICE';
  });
  const number = (input) => (input.value === '' ? null : Number(input.value));
  const checked = (box, name) => [...box.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);

  return {
    nodes: [
      field(t('material.title'), title),
      field(t('material.summary'), summary),
      field(t('material.kind'), kind),
      gpBox,
      field(t('material.body'), body, t('markdown.hint')),
      field(t('material.languages'), languages, t('space.languagesHint')),
      field(t('material.subjects'), subjects, t('material.subjectsHint')),
      h('div', { class: 'toolbar' }, field(t('material.ageMin'), ageMin), field(t('material.ageMax'), ageMax)),
      pillars,
      sdgs,
      field(t('material.authors'), authors, t('material.authorsHint')),
      field(t('material.licence'), licence),
      field(t('material.visibility'), visibility, t('material.visibilityHint')),
    ],
    read() {
      const input = {
        title: title.value.trim(),
        summary: summary.value,
        body: body.value,
        kind: kind.value,
        languages: list(languages.value, /[\s,]+/),
        subjects: list(subjects.value),
        ageMin: number(ageMin),
        ageMax: number(ageMax),
        pillars: checked(pillars, 'pillar'),
        sdgs: checked(sdgs, 'sdg').map(Number),
        authors: list(authors.value),
        licence: licence.value,
        visibility: visibility.value,
      };
      if (kind.value === 'GOOD_PRACTICE') input.goodPractice = Object.fromEntries(GP.map((k) => [k, gp[k].value]));
      return input;
    },
  };
}

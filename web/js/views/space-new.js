// Opening a twinning space: title, topic, languages, pillars, description.

import { ApiError, gql } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { label, t } from '../i18n.js';

export const PILLARS = ['LEARNING_TO_KNOW', 'LEARNING_TO_DO', 'LEARNING_TO_BE', 'LEARNING_TO_LIVE_TOGETHER'];

export function pillarBoxes(name, chosen = []) {
  return h('fieldset', { class: 'checks' }, h('legend', null, t('space.pillars')),
    PILLARS.map((p) => h('label', null, h('input', { type: 'checkbox', name, value: p, checked: chosen.includes(p) }), ' ', label('Pillar', p))));
}

export async function render(root, ctx) {
  ctx.title(t('spaceNew.title'));
  const title = h('input', { id: 'space-title', required: true, maxlength: 200 });
  const topic = h('input', { id: 'space-topic', required: true, maxlength: 200 });
  const languages = h('input', { id: 'space-languages', required: true, value: ctx.me.school ? 'en' : 'en' });
  const description = h('textarea', { id: 'space-description', rows: 4 });
  const status = statusLine();
  const form = h('form', {
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const input = {
        title: title.value.trim(),
        topic: topic.value.trim(),
        description: description.value,
        languages: languages.value.split(/[\s,]+/).filter(Boolean),
        pillars: [...form.querySelectorAll('input[name=pillar]:checked')].map((i) => i.value),
      };
      try {
        const d = await gql('mutation($i: CreateSpaceInput!) { createSpace(input: $i) { id } }', { i: input });
        ctx.navigate(`/spaces/${d.createSpace.id}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = e instanceof ApiError && e.code === 'BAD_USER_INPUT' ? e.message : t(`error.${e.code || 'INTERNAL'}`);
      }
    },
  },
  field(t('space.titleField'), title),
  field(t('space.topic'), topic),
  field(t('space.languages'), languages, t('space.languagesHint')),
  pillarBoxes('pillar'),
  field(t('space.description'), description, t('markdown.hint')),
  h('button', { type: 'submit', id: 'create-space' }, t('spaceNew.submit')),
  status);
  add(root, h('h1', null, t('spaceNew.title')), h('p', { class: 'lead' }, t('spaceNew.intro')), form);
}

// "Apply as a school": a school that is not in the network yet asks to
// join, without an account. Its national coordinator is told at once and
// answers at the contact e-mail; the receipt says what happens next.

import { ApiError, errorText, gql } from '../api.js';
import { add, field, fill, h, statusLine, uid } from '../dom.js';
import { formatDateTime, label, languageName, t } from '../i18n.js';

// The languages of instruction across the network, and English.
const LANGUAGES = ['hy', 'az', 'be', 'bg', 'et', 'kk', 'ky', 'lv', 'lt', 'ro', 'ru', 'tg', 'uk', 'uz', 'en'];
// Each country's own language, offered first once the country is chosen.
const NATIONAL = {
  AM: 'hy', AZ: 'az', BY: 'be', BG: 'bg', EE: 'et', KZ: 'kk', KG: 'ky', LV: 'lv', LT: 'lt', MD: 'ro', RU: 'ru', TJ: 'tg', UA: 'uk', UZ: 'uz',
};

const APPLY = `mutation($i: SchoolInput!) { applySchool(input: $i) { id status submittedAt } }`;

export async function render(root, ctx) {
  ctx.title(t('apply.title'));
  const d = await gql('{ countries { code name } }');
  const byName = (a, b) => languageName(a).localeCompare(languageName(b));
  const languages = [...LANGUAGES].sort(byName);

  const country = h('select', { id: 'apply-country', name: 'country', required: true },
    h('option', { value: '' }, t('apply.choose')),
    d.countries.map((c) => h('option', { value: c.code }, c.name)));
  const nameLanguage = h('select', { id: 'apply-name-language', name: 'nameLanguage', required: true },
    h('option', { value: '' }, t('apply.choose')),
    languages.map((l) => h('option', { value: l }, languageName(l))));
  const name = h('input', { id: 'apply-name', name: 'name', required: true, maxlength: 200 });
  const nameEn = h('input', { id: 'apply-name-en', name: 'nameEn', maxlength: 200, lang: 'en' });
  const city = h('input', { id: 'apply-city', name: 'city', required: true, maxlength: 100 });
  const taught = languages.map((l) => {
    const box = h('input', { type: 'checkbox', id: uid('lang'), name: 'languages', value: l });
    return h('label', { class: 'check' }, box, ' ', languageName(l));
  });
  const website = h('input', { id: 'apply-website', name: 'website', type: 'url', placeholder: 'https://' });
  const aspnet = h('input', { id: 'apply-aspnet', name: 'aspnet', maxlength: 40 });
  const contactName = h('input', { id: 'apply-contact-name', name: 'contactName', required: true, autocomplete: 'name', maxlength: 100 });
  const email = h('input', { id: 'apply-email', name: 'email', type: 'email', required: true, autocomplete: 'email' });
  const phone = h('input', { id: 'apply-phone', name: 'phone', type: 'tel', autocomplete: 'tel', maxlength: 40 });
  const status = statusLine();
  const submit = h('button', { type: 'submit', id: 'apply-submit' }, t('apply.submit'));
  // Choosing the country suggests its language where nothing is chosen yet.
  country.addEventListener('change', () => {
    const own = NATIONAL[country.value];
    if (!own) return;
    if (!nameLanguage.value) nameLanguage.value = own;
    const boxes = taught.map((l) => l.querySelector('input'));
    if (!boxes.some((b) => b.checked)) {
      const box = boxes.find((b) => b.value === own);
      if (box) box.checked = true;
    }
  });

  const form = h('form', {
    id: 'apply-form',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const chosen = taught.map((l) => l.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
      if (!chosen.length) {
        status.className = 'status error';
        status.textContent = t('apply.needLanguage');
        taught[0].querySelector('input').focus();
        return;
      }
      const names = [{ language: nameLanguage.value, text: name.value.trim() }];
      if (nameEn.value.trim() && nameLanguage.value !== 'en') names.push({ language: 'en', text: nameEn.value.trim() });
      const input = {
        names,
        defaultLanguage: nameLanguage.value,
        country: country.value,
        city: city.value.trim(),
        languages: chosen,
        website: website.value.trim() || null,
        aspnetNumber: aspnet.value.trim() || null,
        contactName: contactName.value.trim(),
        contactEmail: email.value.trim(),
        contactPhone: phone.value.trim() || null,
      };
      submit.disabled = true;
      status.className = 'status';
      status.textContent = t('apply.working');
      try {
        const r = (await gql(APPLY, { i: input })).applySchool;
        const where = d.countries.find((c) => c.code === country.value)?.name || country.value;
        fill(root, receipt(r, where, input.contactEmail));
        root.querySelector('h1').focus();
      } catch (e) {
        status.className = 'status error';
        status.textContent = e instanceof ApiError ? errorText(e, t) : t('error.INTERNAL');
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('fieldset', null, h('legend', null, t('apply.school')),
    field(t('apply.country'), country),
    field(t('apply.nameLanguage'), nameLanguage),
    field(t('apply.name'), name, t('apply.nameHint')),
    field(t('apply.nameEn'), nameEn),
    field(t('apply.city'), city),
    h('fieldset', { class: 'checks', id: 'apply-languages' }, h('legend', null, t('apply.languages')), taught),
    field(t('apply.website'), website),
    field(t('apply.aspnet'), aspnet, t('apply.aspnetHint'))),
  h('fieldset', null, h('legend', null, t('apply.contact')),
    h('p', { class: 'hint' }, t('apply.contactHint')),
    field(t('apply.contactName'), contactName),
    field(t('apply.email'), email),
    field(t('apply.phone'), phone)),
  submit,
  status);

  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/welcome' }, t('welcome.title'))),
    h('h1', null, t('apply.title')),
    h('p', { class: 'lead' }, t('apply.intro')),
    form);
}

function receipt(r, country, email) {
  return h('div', { class: 'view', id: 'apply-receipt' },
    h('h1', { tabindex: '-1' }, t('apply.received')),
    h('dl', { class: 'facts card' },
      h('dt', null, t('apply.reference')), h('dd', { id: 'apply-reference' }, h('code', null, r.id)),
      h('dt', null, t('apply.status')), h('dd', null, label('SchoolStatus', r.status)),
      h('dt', null, t('apply.submitted')), h('dd', null, formatDateTime(r.submittedAt))),
    h('h2', null, t('apply.next')),
    h('ol', { class: 'steps' },
      h('li', null, t('apply.next1', { country })),
      h('li', null, t('apply.next2', { email })),
      h('li', null, t('apply.next3'))),
    h('p', null, h('a', { href: '#/welcome' }, t('apply.back'))));
}

// The facts of a school, as one form for a school applying, a national
// coordinator registering one, and a school's people correcting theirs:
// country, the name in its language (and in English), city, languages of
// instruction, website, ASPnet number and a contact.

import { errorText } from './api.js';
import { field, h, statusLine, uid } from './dom.js';
import { languageName, t } from './i18n.js';

// The languages of instruction across the network, and English.
const LANGUAGES = ['hy', 'az', 'be', 'bg', 'et', 'kk', 'ky', 'lv', 'lt', 'ro', 'ru', 'tg', 'uk', 'uz', 'en'];
// Each country's own language, offered first once the country is chosen.
const NATIONAL = {
  AM: 'hy', AZ: 'az', BY: 'be', BG: 'bg', EE: 'et', KZ: 'kk', KG: 'ky', LV: 'lv', LT: 'lt', MD: 'ro', RU: 'ru', TJ: 'tg', UA: 'uk', UZ: 'uz',
};

/**
 * The whole form: the fields, a submit button and a status line.
 * `save(input)` sends the `SchoolInput`; while it runs the button is
 * disabled and `working` (if given) is shown; what it throws is shown.
 */
export function schoolForm({ id, submitId, submitLabel, working, before, save, ...options }) {
  const fields = schoolFields(options);
  const status = statusLine();
  const submit = h('button', { type: 'submit', id: submitId }, submitLabel);
  const complain = (text) => {
    status.className = 'status error';
    status.textContent = text;
  };
  return h('form', {
    id,
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const input = fields.read(complain);
      if (!input) return;
      submit.disabled = true;
      status.className = 'status';
      status.textContent = working || '';
      try {
        await save(input);
      } catch (e) {
        complain(errorText(e, t));
      } finally {
        submit.disabled = false;
      }
    },
  }, before || null, fields.element, submit, status);
}

/**
 * The fieldsets of the form and `read()`, which gives the `SchoolInput`
 * or, when a language of instruction is missing, `null` (having said so
 * through `complain`). `school` fills it for a change; `country` fixes
 * the country; `prefix` names the controls' ids.
 */
function schoolFields({ countries, school = null, country: fixed = null, prefix, contactRequired }) {
  const byName = (a, b) => languageName(a).localeCompare(languageName(b));
  const languages = [...new Set([...LANGUAGES, ...(school?.languages || [])])].sort(byName);
  const primary = school ? school.names.find((n) => n.language === school.defaultLanguage) || school.names[0] : null;
  const english = school?.names.find((n) => n.language === 'en' && n !== primary);
  const chosenCountry = fixed || school?.countryCode || '';
  const country = h('select', { id: `${prefix}-country`, name: 'country', required: true, disabled: Boolean(fixed || school) },
    h('option', { value: '' }, t('apply.choose')),
    countries.map((c) => h('option', { value: c.code, selected: c.code === chosenCountry }, c.name)));
  const nameLanguage = h('select', { id: `${prefix}-name-language`, name: 'nameLanguage', required: true },
    h('option', { value: '' }, t('apply.choose')),
    languages.map((l) => h('option', { value: l, selected: l === (primary?.language || NATIONAL[chosenCountry]) }, languageName(l))));
  const name = h('input', { id: `${prefix}-name`, name: 'name', required: true, maxlength: 200, value: primary?.text || '' });
  const nameEn = h('input', { id: `${prefix}-name-en`, name: 'nameEn', maxlength: 200, lang: 'en', value: english?.text || '' });
  const city = h('input', { id: `${prefix}-city`, name: 'city', required: true, maxlength: 100, value: school?.city || '' });
  const taught = languages.map((l) => {
    const on = school ? school.languages.includes(l) : l === NATIONAL[chosenCountry];
    const box = h('input', { type: 'checkbox', id: uid('lang'), name: 'languages', value: l, checked: on });
    return h('label', { class: 'check' }, box, ' ', languageName(l));
  });
  const website = h('input', { id: `${prefix}-website`, name: 'website', type: 'url', placeholder: 'https://', value: school?.website || '' });
  const aspnet = h('input', { id: `${prefix}-aspnet`, name: 'aspnet', maxlength: 40, value: school?.aspnetNumber || '' });
  const c = school?.contact || {};
  const contactName = h('input', { id: `${prefix}-contact-name`, name: 'contactName', required: contactRequired, autocomplete: 'name', maxlength: 100, value: c.name || '' });
  const email = h('input', { id: `${prefix}-email`, name: 'email', type: 'email', required: contactRequired, autocomplete: 'email', value: c.email || '' });
  const phone = h('input', { id: `${prefix}-phone`, name: 'phone', type: 'tel', autocomplete: 'tel', maxlength: 40, value: c.phone || '' });
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

  const element = [
    h('fieldset', null, h('legend', null, t('apply.school')),
      field(t('apply.country'), country),
      field(t('apply.nameLanguage'), nameLanguage),
      field(t('apply.name'), name, t('apply.nameHint')),
      field(t('apply.nameEn'), nameEn),
      field(t('apply.city'), city),
      h('fieldset', { class: 'checks', id: `${prefix}-languages` }, h('legend', null, t('apply.languages')), taught),
      field(t('apply.website'), website),
      field(t('apply.aspnet'), aspnet, t('apply.aspnetHint'))),
    h('fieldset', null, h('legend', null, t('apply.contact')),
      h('p', { class: 'hint' }, t(contactRequired ? 'apply.contactHint' : 'schoolForm.contactHint')),
      field(t('apply.contactName'), contactName),
      field(t('apply.email'), email),
      field(t('apply.phone'), phone)),
  ];

  function read(complain) {
    const chosen = taught.map((l) => l.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
    if (!chosen.length) {
      complain(t('apply.needLanguage'));
      taught[0].querySelector('input').focus();
      return null;
    }
    const names = [{ language: nameLanguage.value, text: name.value.trim() }];
    if (nameEn.value.trim() && nameLanguage.value !== 'en') names.push({ language: 'en', text: nameEn.value.trim() });
    // Names in other languages than the two shown are kept as they are.
    for (const n of school?.names || []) {
      if (!names.some((x) => x.language === n.language)) names.push({ language: n.language, text: n.text });
    }
    return {
      names,
      defaultLanguage: nameLanguage.value,
      country: country.value,
      city: city.value.trim(),
      languages: chosen,
      website: website.value.trim() || null,
      aspnetNumber: aspnet.value.trim() || null,
      contactName: contactName.value.trim() || null,
      contactEmail: email.value.trim() || null,
      contactPhone: phone.value.trim() || null,
    };
  }
  return { element, read };
}

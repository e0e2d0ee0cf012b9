// Every string the front end shows comes from a message catalog
// (`/i18n/<language>.json`, flat keys). A language is added by adding its
// catalog file and one line to LANGUAGES; nothing else changes. The
// person's choice is remembered in this browser; otherwise the browser's
// own preference picks among the catalogs, then English.

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
];

const KEY = 'lff.lang';
let lang = 'en';
let catalog = {};
let plurals = new Intl.PluralRules('en');

function preferred() {
  const saved = localStorage.getItem(KEY);
  if (saved && LANGUAGES.some((l) => l.code === saved)) return saved;
  for (const tag of navigator.languages || []) {
    const base = tag.toLowerCase().split('-')[0];
    if (LANGUAGES.some((l) => l.code === base)) return base;
  }
  return 'en';
}

export async function initI18n() {
  lang = preferred();
  const res = await fetch(`/i18n/${lang}.json`);
  catalog = await res.json();
  plurals = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
}

export function language() {
  return lang;
}

export function setLanguage(code) {
  localStorage.setItem(KEY, code);
}

/** The message `key`, with `{name}` replaced from `params`; `{n}` picks a plural form. */
export function t(key, params) {
  let s = catalog[key];
  if (s === undefined) s = key;
  if (typeof s === 'object') s = s[plurals.select(params?.n ?? 0)] ?? s.other;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

const dateTime = () => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = () => new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
const timeOnly = () => new Intl.DateTimeFormat(lang, { timeStyle: 'short' });

export function formatDateTime(iso) {
  return iso ? dateTime().format(new Date(iso)) : '';
}
export function formatDate(iso) {
  return iso ? dateOnly().format(new Date(iso)) : '';
}
export function formatTime(iso) {
  return iso ? timeOnly().format(new Date(iso)) : '';
}

/** A language tag's name in the reader's language ("ru" → "Russian"). */
export function languageName(code) {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}

/** A size in bytes for people ("2.4 MB"). */
export function formatSize(bytes) {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
  let n = Number(bytes);
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  return new Intl.NumberFormat(lang, { style: 'unit', unit: units[i], maximumFractionDigits: i ? 1 : 0 }).format(n);
}

/** An enum value's label: `enum('Role', 'TEACHER')` reads key `Role.TEACHER`. */
export function label(kind, value) {
  return t(`${kind}.${value}`);
}

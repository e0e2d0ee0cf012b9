// Building the page without HTML strings: every text goes in as text, so
// nothing a person typed can become markup. The only HTML the front end
// inserts is what the server already sanitized (rendered Markdown, search
// highlights), through `html()`.

/** `h('button', { class: 'x', onclick: fn, disabled: true }, 'Text', child)` */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Appends children to `el`, skipping null, undefined and false. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** HTML the server sanitized (ammonia) or escaped (highlights). */
export function html(tag, attrs, sanitized) {
  const el = h(tag, attrs);
  el.innerHTML = sanitized;
  return el;
}

let seq = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix = 'f') {
  seq += 1;
  return `${prefix}-${seq}`;
}

/** A labelled form field: a label, its control and an optional hint. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const hintEl = hint ? h('small', { id: control.id + '-hint', class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A status line read out by screen readers when it changes. */
export function statusLine() {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

/**
 * Asks as someone types in `input`: `ask(text)` a moment after typing stops,
 * for texts of `min` characters or more, and `show(answer)` with the answer
 * to the latest question only (an earlier one arriving late is dropped);
 * `clear()` when the text is shorter. A failed question shows nothing: what
 * is asked this way is a help, not a need.
 */
export function asYouType(input, { ask, show, clear, min = 2, wait = 200 }) {
  let timer = null;
  let asked = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < min) {
      asked += 1;
      clear();
      return;
    }
    timer = setTimeout(async () => {
      const mine = ++asked;
      let answer;
      try {
        answer = await ask(text);
      } catch {
        return;
      }
      if (mine === asked) show(answer);
    }, wait);
  });
}

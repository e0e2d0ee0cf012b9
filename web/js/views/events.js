// Events: coming conferences, workshops and mentoring sessions, with my
// registration, a way to plan one, and a calendar feed for my calendar
// application.

import { ApiError, gql } from '../api.js';
import { add, h, statusLine } from '../dom.js';
import { formatDate, formatTime, label, t } from '../i18n.js';

const ORGANIZERS = ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR', 'SCHOOL_COORDINATOR', 'TEACHER', 'MENTOR'];

export async function render(root, ctx) {
  ctx.title(t('events.title'));
  const past = ctx.query.get('past') === '1';
  const d = await gql(`query($p: Boolean!) {
    events(first: 50, includePast: $p) { nodes { id title kind startsAt endsAt status capacity registeredCount
      waitlistCount canTakePart myRegistration { status } organizer { displayName } } }
    calendarFeed { createdAt } }`, { p: past });
  const status = statusLine();
  const byDay = new Map();
  for (const e of d.events.nodes) {
    const day = formatDate(e.startsAt);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(e);
  }
  const feed = h('div', { class: 'card', id: 'feed' }, h('h2', null, t('events.feed')), h('p', null, t('events.feedIntro')));
  const feedButton = h('button', {
    type: 'button',
    onclick: async () => {
      try {
        const r = await gql('mutation { createCalendarFeed { path } }');
        const url = `${location.origin}${r.createCalendarFeed.path}`;
        add(feed, h('p', null, t('events.feedReady')), h('input', { readonly: true, value: url, 'aria-label': t('events.feedUrl'), class: 'wide', id: 'feed-url' }));
        feedButton.hidden = true;
      } catch (e) {
        status.textContent = t(`error.${e instanceof ApiError ? e.code : 'INTERNAL'}`);
      }
    },
  }, d.calendarFeed ? t('events.feedNew') : t('events.feedCreate'));
  add(feed, feedButton);
  if (d.calendarFeed) {
    const stop = h('button', {
      type: 'button',
      class: 'quiet',
      id: 'feed-stop',
      onclick: async () => {
        try {
          await gql('mutation { revokeCalendarFeed }');
          stop.hidden = true;
          feed.querySelector('#feed-url')?.remove();
          feedButton.hidden = false;
          feedButton.textContent = t('events.feedCreate');
          status.textContent = t('events.feedStopped');
        } catch (e) {
          status.textContent = t(`error.${e instanceof ApiError ? e.code : 'INTERNAL'}`);
        }
      },
    }, t('events.feedStop'));
    add(feed, ' ', stop);
  }

  add(root, 
    h('div', { class: 'row' }, h('h1', null, t('events.title')),
      ORGANIZERS.includes(ctx.me.role) ? h('a', { class: 'button', href: '#/events/new', id: 'new-event' }, t('events.new')) : null),
    h('p', null, past ? h('a', { href: '#/events' }, t('events.coming')) : h('a', { href: '#/events?past=1' }, t('events.withPast'))),
    status,
    byDay.size
      ? h('div', { id: 'event-list' }, [...byDay.entries()].map(([day, list]) => h('section', { 'aria-label': day },
        h('h2', null, day),
        h('ul', { class: 'cards' }, list.map((e) => h('li', { class: 'card', dataset: { event: e.id } },
          h('h3', null, h('a', { href: `#/events/${e.id}` }, e.title)),
          h('p', { class: 'meta' }, formatTime(e.startsAt), '–', formatTime(e.endsAt), ' · ', label('EventKind', e.kind),
            e.organizer ? ` · ${e.organizer.displayName}` : ''),
          h('p', null,
            e.status !== 'SCHEDULED' ? h('strong', { class: e.status === 'LIVE' ? 'live-tag' : '' }, label('EventStatus', e.status), ' ') : null,
            e.myRegistration && e.myRegistration.status !== 'CANCELLED' ? h('span', { class: 'tag' }, label('RegistrationStatus', e.myRegistration.status), ' ') : null,
            e.capacity ? t('events.seats', { n: e.registeredCount, capacity: e.capacity }) : t('events.registered', { n: e.registeredCount }))))))))
      : h('p', { class: 'empty' }, t('events.none')),
    feed,
  );
}

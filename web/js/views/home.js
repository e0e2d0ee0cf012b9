// Home: my spaces with their unread counts, my coming events, invitations
// waiting for my answer, and my notifications.

import { ApiError, gql } from '../api.js';
import { add, fill, h, statusLine } from '../dom.js';
import { formatDateTime, label, t } from '../i18n.js';
import { notificationLink, setUnread } from '../main.js';

const Q = `{
  mySpaces(first: 50) { nodes { id title topic archived schools { id name } channels { id unreadCount } } }
  myEvents(first: 5) { nodes { id title kind startsAt status } }
  joinableSpaces { id title topic schools { id name } }
  mySpaceInvitations { id spaceId spaceTitle spaceTopic school { name } mentor { displayName } }
  myNotifications(first: 15) { unreadCount nodes { id kind createdAt spaceId about actorName excerpt read } }
}`;

export async function render(root, ctx) {
  ctx.title(t('home.title'));
  const d = await gql(Q);
  const status = statusLine();
  const canCreate = ['TEACHER', 'SCHOOL_COORDINATOR'].includes(ctx.me.role);

  const spaces = d.mySpaces.nodes;
  const spaceList = spaces.length
    ? h('ul', { class: 'cards', id: 'my-spaces' }, spaces.map((s) => {
      const unread = s.channels.reduce((a, c) => a + c.unreadCount, 0);
      return h('li', { class: 'card' },
        h('h3', null, h('a', { href: `#/spaces/${s.id}` }, s.title)),
        h('p', { class: 'meta' }, s.topic, ' · ', s.schools.map((x) => x.name).join(', ')),
        unread ? h('p', { class: 'badge-line' }, t('home.unread', { n: unread })) : null,
        s.archived ? h('p', { class: 'meta' }, t('space.archived')) : null);
    }))
    : h('p', { class: 'empty' }, t('home.noSpaces'));

  const joinable = d.joinableSpaces.length
    ? h('section', { 'aria-labelledby': 'join-h' }, h('h2', { id: 'join-h' }, t('home.joinable')),
      h('ul', { class: 'cards', id: 'joinable' }, d.joinableSpaces.map((s) => h('li', { class: 'card' },
        h('h3', null, h('a', { href: `#/spaces/${s.id}` }, s.title)),
        h('p', { class: 'meta' }, s.topic, ' · ', s.schools.map((x) => x.name).join(', ')),
        h('button', {
          type: 'button',
          'aria-label': t('home.joinNamed', { name: s.title }),
          onclick: async () => {
            try {
              await gql('mutation($s: ID!) { joinSpace(spaceId: $s) { id } }', { s: s.id });
              ctx.navigate(`/spaces/${s.id}`);
            } catch (e) {
              status.textContent = t(`error.${e instanceof ApiError ? e.code : 'INTERNAL'}`);
            }
          },
        }, t('space.join'))))))
    : null;

  const events = d.myEvents.nodes;
  const eventList = events.length
    ? h('ul', { class: 'plain' }, events.map((e) => h('li', null,
      h('a', { href: `#/events/${e.id}` }, e.title), ' — ', formatDateTime(e.startsAt), ' · ', label('EventKind', e.kind),
      e.status === 'LIVE' ? h('strong', { class: 'live-tag' }, ' ', t('EventStatus.LIVE')) : null)))
    : h('p', { class: 'empty' }, t('home.noEvents'), ' ', h('a', { href: '#/events' }, t('home.seeEvents')));

  const invitations = h('section', { 'aria-labelledby': 'inv-h' }, h('h2', { id: 'inv-h' }, t('home.invitations')));
  const invList = h('ul', { class: 'plain' });
  for (const inv of d.mySpaceInvitations) {
    const li = h('li', null, h('strong', null, inv.spaceTitle), ` (${inv.spaceTopic}) `);
    const answer = (accept) => async () => {
      try {
        await gql(accept
          ? 'mutation($id: ID!) { acceptSpaceInvitation(id: $id) { id status } }'
          : 'mutation($id: ID!) { declineSpaceInvitation(id: $id) { id status } }', { id: inv.id });
        li.remove();
        status.textContent = accept ? t('home.accepted') : t('home.declined');
        if (accept) ctx.navigate(`/spaces/${inv.spaceId}`);
      } catch (e) {
        status.textContent = t(`error.${e instanceof ApiError ? e.code : 'INTERNAL'}`);
      }
    };
    add(li, 
      h('button', { type: 'button', onclick: answer(true) }, t('home.accept')), ' ',
      h('button', { type: 'button', class: 'quiet', onclick: answer(false) }, t('home.decline')),
    );
    add(invList, li);
  }
  if (d.mySpaceInvitations.length) add(invitations, invList);
  else invitations.hidden = true;

  const notes = h('ul', { class: 'plain notifications', id: 'notifications' });
  const drawNotes = (list) => fill(notes, list.map((n) => h('li', { class: n.read ? '' : 'unread' },
    h('a', { href: notificationLink(n) }, t(`NotificationKind.${n.kind}`, { who: n.actorName || '', excerpt: n.excerpt || '' })),
    ' ', h('small', { class: 'meta' }, formatDateTime(n.createdAt)))));
  let list = d.myNotifications.nodes;
  drawNotes(list);
  const markRead = h('button', {
    type: 'button',
    class: 'quiet',
    onclick: async () => {
      await gql('mutation { markNotificationsRead }');
      list = list.map((n) => ({ ...n, read: true }));
      drawNotes(list);
      setUnread(0);
      status.textContent = t('home.allRead');
    },
  }, t('home.markRead'));
  const onNote = (ev) => {
    list = [ev.detail, ...list].slice(0, 15);
    drawNotes(list);
  };
  document.addEventListener('lff:notification', onNote);

  add(root, 
    h('h1', null, t('home.hello', { name: ctx.me.displayName })),
    status,
    h('div', { class: 'grid2' },
      h('section', { 'aria-labelledby': 'spaces-h' },
        h('div', { class: 'row' }, h('h2', { id: 'spaces-h' }, t('home.spaces')),
          canCreate ? h('a', { class: 'button', href: '#/spaces/new', id: 'new-space' }, t('home.newSpace')) : null),
        spaceList,
        joinable),
      h('div', null,
        invitations,
        h('section', { 'aria-labelledby': 'ev-h' }, h('h2', { id: 'ev-h' }, t('home.events')), eventList),
        h('section', { 'aria-labelledby': 'no-h' },
          h('div', { class: 'row' }, h('h2', { id: 'no-h' }, t('home.notifications')), list.length ? markRead : null),
          list.length ? notes : h('p', { class: 'empty' }, t('home.noNotifications'))))),
  );
  return () => document.removeEventListener('lff:notification', onNote);
}

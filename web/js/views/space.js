// A twinning space: channels with unread counts, the channel's messages
// live (Markdown, threads, reactions, typing, presence), members, and the
// way to the space's materials. The page first reads the space and its
// `cursor`, then subscribes to `spaceEvents(after: cursor)`: whatever
// happened in between arrives first, and every event is applied once
// (messages by id), even across dropped connections.

import { ApiError, errorText, gql, live } from '../api.js';
import { add, fill, h, html, statusLine } from '../dom.js';
import { formatDate, formatDateTime, formatTime, label, language, t } from '../i18n.js';

const M = `id cursor channelId replyTo replyCount author { id displayName role } body html
  createdAt editedAt deleted hidden hiddenReason reactions { emoji count mine }`;

const SPACE = `query($id: ID!) { space(id: $id) {
  id title topic description archived myRole cursor languages startsOn endsOn
  schools { id name countryCode } leadSchool { id }
  channels { id name kind topic unreadCount }
  online { userId displayName }
  members(first: 100) { nodes { id displayName role school { id name } } } } }`;

const EVENTS = `subscription($s: ID!, $a: String) { spaceEvents(spaceId: $s, after: $a) {
  __typename cursor at
  ... on MessagePosted { message { ${M} } }
  ... on MessageEdited { message { ${M} } }
  ... on MessageDeleted { message { ${M} } }
  ... on MessageHidden { message { ${M} } }
  ... on MessageUnhidden { message { ${M} } }
  ... on ReactionChanged { messageId channelId emoji userId added }
  ... on Typing { channelId userId displayName }
  ... on PresenceChanged { userId displayName online }
  ... on ChannelCreated { channel { id name kind topic unreadCount } }
  ... on MemberJoined { member { id displayName role school { id name } } }
  ... on MemberLeft { member { id } }
  ... on SpaceUpdated { space { title topic description archived } }
} }`;

const EMOJI = ['👍', '❤️', '😀', '🎉', '❓'];

export async function render(root, ctx) {
  const me = ctx.me;
  const d = await gql(SPACE, { id: ctx.params.id });
  const space = d.space;
  if (!space) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return null;
  }
  ctx.title(space.title);
  let cursor = space.cursor;
  const channels = space.channels;
  const channel = channels.find((c) => c.id === ctx.params.channel) || channels[0];
  const moderator = ['LEAD', 'TEACHER'].includes(space.myRole);
  const writer = space.myRole && space.myRole !== 'OBSERVER' && !space.archived;
  const status = statusLine();
  const messages = new Map(); // id -> message
  const pendingReactions = new Set();
  const typing = new Map(); // userId -> { name, timer }
  let thread = null; // the open thread's parent id
  let closed = false;

  // ---- layout
  const channelNav = h('nav', { class: 'channels', 'aria-label': t('space.channels') });
  const list = h('ol', { class: 'messages', id: 'messages', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t('space.messagesOf', { name: channel?.name || '' }) });
  const older = h('button', { type: 'button', class: 'quiet', id: 'older', hidden: true }, t('space.older'));
  const typingLine = h('p', { class: 'typing', id: 'typing' });
  const onlineList = h('ul', { class: 'plain', id: 'online' });
  const memberList = h('ul', { class: 'plain', id: 'members' });
  const threadBox = h('aside', { class: 'thread', id: 'thread', hidden: true, 'aria-labelledby': 'thread-h' });

  const channelList = h('ul', { class: 'plain' });
  add(channelNav, h('h2', null, t('space.channels')), channelList);
  function drawChannels() {
    fill(channelList, channels.map((c) => h('li', null,
      h('a', { href: `#/spaces/${space.id}/${c.id}`, 'aria-current': c.id === channel?.id ? 'page' : null, dataset: { channel: c.name } },
        `# ${c.name}`,
        c.unreadCount && c.id !== channel?.id
          ? h('span', { class: 'badge' }, h('span', { class: 'sr' }, t('nav.unread')), String(c.unreadCount)) : null),
      c.kind === 'BULLETIN' ? h('small', { class: 'meta' }, ' ', t('space.bulletin')) : null)));
  }
  if (moderator) {
    const name = h('input', { id: 'channel-name', 'aria-label': t('space.newChannel'), placeholder: t('space.newChannel'), maxlength: 60 });
    add(channelNav, h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!name.value.trim()) return;
        try {
          await gql('mutation($s: ID!, $n: String!) { createChannel(spaceId: $s, name: $n) { id } }', { s: space.id, n: name.value.trim() });
          name.value = '';
        } catch (e) {
          status.textContent = errorText(e, t);
        }
      },
    }, name, h('button', { type: 'submit' }, t('space.addChannel'))));
  }

  function drawOnline(users) {
    fill(onlineList, users.map((u) => h('li', { dataset: { user: u.userId } }, h('span', { class: 'dot', 'aria-hidden': 'true' }), ' ', u.displayName)));
  }
  function drawMembers() {
    fill(memberList, space.members.nodes.map((m) => h('li', null, m.displayName, ' ',
      h('small', { class: 'meta' }, label('SpaceRole', m.role), m.school ? ` · ${m.school.name}` : ''))));
  }

  function reactionBar(m) {
    const bar = h('div', { class: 'reactions', role: 'group', 'aria-label': t('space.reactions') });
    const counts = new Map(m.reactions.map((r) => [r.emoji, r]));
    for (const e of EMOJI) {
      const r = counts.get(e);
      if (!r && !writer) continue;
      add(bar, h('button', {
        type: 'button',
        class: r?.mine ? 'reaction mine' : 'reaction',
        dataset: { key: `react-${e}` },
        'aria-pressed': r?.mine ? 'true' : 'false',
        disabled: !writer,
        onclick: async () => {
          const on = !r?.mine;
          pendingReactions.add(`${m.id}|${e}|${on}`);
          try {
            const res = await gql(`mutation($m: ID!, $e: String!, $on: Boolean!) { setReaction(messageId: $m, emoji: $e, on: $on) { ${M} } }`, { m: m.id, e, on });
            upsert(res.setReaction);
          } catch (err) {
            pendingReactions.delete(`${m.id}|${e}|${on}`);
            status.textContent = errorText(err, t);
          }
        },
      }, h('span', { class: 'sr' }, t('space.reactWith'), ' '), e, r?.count ? ` ${r.count}` : ''));
    }
    return bar;
  }

  function messageItem(m) {
    const mine = m.author.id === me.id;
    const li = h('li', { class: 'message', id: `m-${m.id}`, dataset: { id: m.id } });
    const head = h('p', { class: 'by' }, h('strong', null, m.author.displayName), ' ',
      h('small', { class: 'meta' }, label('SpaceRole', m.author.role), ' · ',
        h('time', { datetime: m.createdAt, title: formatDateTime(m.createdAt) }, formatTime(m.createdAt)),
        m.editedAt ? ` · ${t('space.edited')}` : ''));
    let body;
    if (m.deleted) body = h('p', { class: 'gone' }, t('space.deleted'));
    else if (m.hidden && !moderator && !mine) body = h('p', { class: 'gone' }, t('space.hidden'));
    else {
      body = html('div', { class: 'body' }, m.html);
      if (m.hidden) body.prepend(h('p', { class: 'gone' }, t('space.hiddenFor', { reason: m.hiddenReason || '' })));
    }
    add(li, head, body);
    if (!m.deleted) {
      add(li, reactionBar(m));
      const actions = h('div', { class: 'actions' });
      if (!m.replyTo) {
        add(actions, h('button', { type: 'button', class: 'link', dataset: { key: 'reply' }, onclick: () => openThread(m.id) },
          m.replyCount ? t('space.replies', { n: m.replyCount }) : t('space.reply')));
      }
      if (mine && writer) {
        add(actions, 
          h('button', { type: 'button', class: 'link', onclick: () => editInPlace(li, m) }, t('space.edit')),
          h('button', {
            type: 'button',
            class: 'link',
            onclick: async () => {
              if (!confirm(t('space.confirmDelete'))) return;
              try {
                upsert((await gql(`mutation($id: ID!) { deleteMessage(id: $id) { ${M} } }`, { id: m.id })).deleteMessage);
              } catch (e) {
                status.textContent = errorText(e, t);
              }
            },
          }, t('space.delete')),
        );
      }
      if (moderator && !mine) {
        add(actions, h('button', {
          type: 'button',
          class: 'link',
          onclick: async () => {
            try {
              if (m.hidden) {
                upsert((await gql(`mutation($id: ID!) { unhideMessage(id: $id) { ${M} } }`, { id: m.id })).unhideMessage);
              } else {
                const reason = prompt(t('space.hideWhy'));
                if (!reason) return;
                upsert((await gql(`mutation($id: ID!, $r: String!) { hideMessage(id: $id, reason: $r) { ${M} } }`, { id: m.id, r: reason })).hideMessage);
              }
            } catch (e) {
              status.textContent = errorText(e, t);
            }
          },
        }, m.hidden ? t('space.unhide') : t('space.hide')));
      }
      if (!mine && !moderator && writer) {
        add(actions, h('button', {
          type: 'button',
          class: 'link',
          onclick: async () => {
            const reason = prompt(t('space.reportWhy'));
            if (!reason) return;
            try {
              await gql('mutation($id: ID!, $r: String!) { reportMessage(id: $id, reason: $r) }', { id: m.id, r: reason });
              status.textContent = t('space.reported');
            } catch (e) {
              status.textContent = errorText(e, t);
            }
          },
        }, t('space.report')));
      }
      add(li, actions);
    }
    return li;
  }

  function editInPlace(li, m) {
    const area = h('textarea', { 'aria-label': t('space.editLabel'), rows: 3, value: m.body });
    area.value = m.body;
    const form = h('form', {
      class: 'edit',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          upsert((await gql(`mutation($id: ID!, $b: String!) { editMessage(id: $id, body: $b) { ${M} } }`, { id: m.id, b: area.value })).editMessage);
        } catch (e) {
          status.textContent = errorText(e, t);
        }
      },
    }, area, h('button', { type: 'submit' }, t('space.save')), ' ',
    h('button', { type: 'button', class: 'quiet', onclick: () => upsert(m) }, t('space.cancel')));
    li.querySelector('.body')?.replaceWith(form);
    area.focus();
  }

  // Puts a message where it belongs (the channel, or the open thread), once.
  function redraw(m) {
    for (const box of [list, threadBox]) {
      for (const old of box.querySelectorAll(`[data-id="${CSS.escape(m.id)}"]`)) {
        const focused = old.contains(document.activeElement) ? document.activeElement.dataset.key : null;
        const fresh = messageItem(m);
        old.replaceWith(fresh);
        if (focused) fresh.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
      }
    }
  }

  // A message we had is redrawn; a new one is placed only if it was just
  // posted (an edit of a message we never loaded stays where it is).
  function upsert(m, posted = true) {
    const had = messages.has(m.id);
    if (!had && !posted) return false;
    messages.set(m.id, m);
    redraw(m);
    if (had) return false;
    if (m.channelId !== channel?.id) return true;
    if (!m.replyTo) {
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      add(list, messageItem(m));
      if (atBottom) list.scrollTop = list.scrollHeight;
    } else {
      const parent = messages.get(m.replyTo);
      if (parent) {
        parent.replyCount += 1;
        redraw(parent);
      }
      if (thread === m.replyTo) threadBox.querySelector('ol')?.append(messageItem(m));
    }
    return true;
  }

  function composer(replyTo) {
    const area = h('textarea', {
      id: replyTo ? 'reply-body' : 'message-body',
      rows: 2,
      maxlength: 10000,
      'aria-describedby': replyTo ? null : 'composer-hint',
    });
    const send = h('button', { type: 'submit', id: replyTo ? 'send-reply' : 'send' }, t('space.send'));
    let lastTyping = 0;
    area.addEventListener('input', () => {
      const now = Date.now();
      if (now - lastTyping > 3000 && area.value) {
        lastTyping = now;
        gql('mutation($c: ID!) { reportTyping(channelId: $c) }', { c: channel.id }).catch(() => {});
      }
    });
    const form = h('form', {
      class: 'composer',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const body = area.value.trim();
        if (!body) return;
        send.disabled = true;
        try {
          const res = await gql(`mutation($c: ID!, $b: String!, $r: ID) { postMessage(channelId: $c, body: $b, replyTo: $r) { ${M} } }`,
            { c: channel.id, b: body, r: replyTo || null });
          area.value = '';
          upsert(res.postMessage);
          markRead();
        } catch (e) {
          status.textContent = errorText(e, t);
        } finally {
          send.disabled = false;
          area.focus();
        }
      },
    },
    h('label', { for: area.id }, replyTo ? t('space.replyLabel') : t('space.messageLabel', { name: channel.name })),
    area, send);
    area.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    return form;
  }

  async function openThread(id) {
    thread = id;
    const r = await gql(`query($id: ID!) { message(id: $id) { ${M} replies(first: 30) { nodes { ${M} } } } }`, { id });
    const parent = r.message;
    if (!parent) return;
    for (const x of parent.replies.nodes) messages.set(x.id, x);
    fill(threadBox,
      h('div', { class: 'row' }, h('h2', { id: 'thread-h' }, t('space.thread')),
        h('button', {
          type: 'button',
          class: 'quiet',
          onclick: () => {
            thread = null;
            threadBox.hidden = true;
            list.querySelector(`[data-id="${CSS.escape(id)}"] [data-key="reply"]`)?.focus();
          },
        }, t('space.closeThread'))),
      h('ul', { class: 'parent plain' }, messageItem(parent)),
      h('ol', { class: 'messages', 'aria-label': t('space.thread') }, parent.replies.nodes.map(messageItem)),
      writer ? composer(id) : null);
    threadBox.hidden = false;
    threadBox.querySelector('textarea')?.focus();
  }

  let readTimer = null;
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      const last = [...messages.values()].filter((m) => m.channelId === channel.id).at(-1);
      gql('mutation($c: ID!, $u: String) { markChannelRead(channelId: $c, upTo: $u) }', { c: channel.id, u: last?.cursor || null }).catch(() => {});
    }, 500);
  }

  function showTyping() {
    const names = [...typing.values()].map((x) => x.name);
    typingLine.textContent = names.length ? t('space.typing', { names: names.join(', '), n: names.length }) : '';
  }

  function apply(ev) {
    if (ev.cursor) cursor = ev.cursor;
    switch (ev.__typename) {
      case 'MessagePosted': case 'MessageEdited': case 'MessageDeleted': case 'MessageHidden': case 'MessageUnhidden': {
        const m = ev.message;
        if (!m) return;
        const isNew = upsert(m, ev.__typename === 'MessagePosted');
        if (ev.__typename === 'MessagePosted' && isNew && m.channelId !== channel.id && m.author.id !== me.id && !m.replyTo) {
          const c = channels.find((x) => x.id === m.channelId);
          if (c) {
            c.unreadCount += 1;
            drawChannels();
          }
        }
        if (m.channelId === channel.id) {
          typing.delete(m.author.id);
          showTyping();
          if (isNew && document.visibilityState === 'visible') markRead();
        }
        break;
      }
      case 'ReactionChanged': {
        const key = `${ev.messageId}|${ev.emoji}|${ev.added}`;
        if (ev.userId === me.id && pendingReactions.delete(key)) return;
        const m = messages.get(ev.messageId);
        if (!m) return;
        const r = m.reactions.find((x) => x.emoji === ev.emoji);
        if (r) {
          r.count += ev.added ? 1 : -1;
          if (ev.userId === me.id) r.mine = ev.added;
          if (r.count <= 0) m.reactions = m.reactions.filter((x) => x !== r);
        } else if (ev.added) {
          m.reactions.push({ emoji: ev.emoji, count: 1, mine: ev.userId === me.id });
        }
        redraw(m);
        break;
      }
      case 'Typing': {
        if (ev.channelId !== channel.id || ev.userId === me.id) return;
        clearTimeout(typing.get(ev.userId)?.timer);
        typing.set(ev.userId, { name: ev.displayName, timer: setTimeout(() => { typing.delete(ev.userId); showTyping(); }, 5000) });
        showTyping();
        break;
      }
      case 'PresenceChanged': {
        const now = [...onlineList.querySelectorAll('li')].map((li) => ({ userId: li.dataset.user, displayName: li.textContent.trim() }))
          .filter((u) => u.userId !== ev.userId);
        if (ev.online) now.push({ userId: ev.userId, displayName: ev.displayName });
        drawOnline(now);
        break;
      }
      case 'ChannelCreated':
        if (ev.channel && !channels.some((c) => c.id === ev.channel.id)) {
          channels.push(ev.channel);
          drawChannels();
        }
        break;
      case 'MemberJoined':
        if (ev.member && !space.members.nodes.some((m) => m.id === ev.member.id)) {
          space.members.nodes.push(ev.member);
          drawMembers();
        }
        break;
      case 'MemberLeft':
        space.members.nodes = space.members.nodes.filter((m) => m.id !== ev.member?.id);
        drawMembers();
        break;
      case 'SpaceUpdated':
        if (ev.space) {
          root.querySelector('h1').textContent = ev.space.title;
        }
        break;
      default:
        break;
    }
  }

  async function loadMessages(before) {
    if (!channel) return;
    const r = await gql(`query($c: ID!, $b: String) { channel(id: $c) { id messages(first: 30, before: $b) { nodes { ${M} } pageInfo { hasNextPage endCursor } } } }`,
      { c: channel.id, b: before || null });
    const page = r.channel?.messages;
    if (!page) return;
    const items = [...page.nodes].reverse().filter((m) => !messages.has(m.id));
    for (const m of items) messages.set(m.id, m);
    const els = items.map(messageItem);
    if (before) list.prepend(...els);
    else {
      add(list, ...els);
      requestAnimationFrame(() => {
        list.scrollTop = list.scrollHeight;
      });
    }
    older.hidden = !page.pageInfo.hasNextPage;
    older.onclick = () => loadMessages(page.pageInfo.endCursor);
  }

  // ---- people: join, add students, invite schools
  const people = h('section', { 'aria-labelledby': 'people-h', class: 'people' }, h('h2', { id: 'people-h' }, t('space.online')), onlineList,
    h('h2', null, t('space.members')), memberList);
  const mySchoolIn = me.school && space.schools.some((s) => s.id === me.school.id);
  if (!space.myRole && me.role === 'TEACHER' && mySchoolIn) {
    people.prepend(h('button', {
      type: 'button',
      id: 'join-space',
      onclick: async () => {
        try {
          await gql('mutation($s: ID!) { joinSpace(spaceId: $s) { id } }', { s: space.id });
          ctx.navigate(`/spaces/${space.id}`);
        } catch (e) {
          status.textContent = errorText(e, t);
        }
      },
    }, t('space.join')));
  }
  if (moderator && me.school) {
    const pick = h('details', { class: 'panel' }, h('summary', null, t('space.addStudents')));
    pick.addEventListener('toggle', async () => {
      if (!pick.open || pick.dataset.loaded) return;
      pick.dataset.loaded = '1';
      const r = await gql('query($s: ID!) { school(id: $s) { people(role: STUDENT, first: 100) { nodes { id displayName classLabel } } } }', { s: me.school.id });
      const inSpace = new Set(space.members.nodes.map((m) => m.id));
      const boxes = r.school.people.nodes.filter((p) => !inSpace.has(p.id)).map((p) => h('label', null,
        h('input', { type: 'checkbox', value: p.id }), ' ', p.displayName, p.classLabel ? ` (${p.classLabel})` : ''));
      add(pick, h('form', {
        onsubmit: async (ev) => {
          ev.preventDefault();
          const ids = [...pick.querySelectorAll('input:checked')].map((i) => i.value);
          if (!ids.length) return;
          try {
            await gql('mutation($s: ID!, $ids: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $ids) { id } }', { s: space.id, ids });
            status.textContent = t('space.studentsAdded', { n: ids.length });
            pick.open = false;
          } catch (e) {
            status.textContent = errorText(e, t);
          }
        },
      }, h('fieldset', { class: 'checks' }, h('legend', null, t('space.pickStudents')), boxes.length ? boxes : t('space.noStudents')),
      h('button', { type: 'submit' }, t('space.add'))));
    });
    add(people, pick);
  }
  if (space.myRole === 'LEAD') {
    const invite = h('details', { class: 'panel' }, h('summary', null, t('space.inviteSchool')));
    invite.addEventListener('toggle', async () => {
      if (!invite.open || invite.dataset.loaded) return;
      invite.dataset.loaded = '1';
      const r = await gql('query($l: String) { schools(status: APPROVED, first: 100) { nodes { id name(language: $l) countryCode } } }', { l: language() });
      const member = new Set(space.schools.map((s) => s.id));
      const select = h('select', { id: 'invite-school' }, r.schools.nodes.filter((s) => !member.has(s.id))
        .map((s) => h('option', { value: s.id }, `${s.name} (${s.countryCode})`)));
      add(invite, h('form', {
        onsubmit: async (ev) => {
          ev.preventDefault();
          try {
            await gql('mutation($s: ID!, $x: ID!) { inviteSchoolToSpace(spaceId: $s, schoolId: $x) { id } }', { s: space.id, x: select.value });
            status.textContent = t('space.invited');
          } catch (e) {
            status.textContent = errorText(e, t);
          }
        },
      }, h('label', { for: 'invite-school' }, t('space.school')), select, h('button', { type: 'submit' }, t('space.invite'))));
    });
    add(people, invite);
  }

  drawChannels();
  drawOnline(space.online);
  drawMembers();
  add(root, 
    h('div', { class: 'row' },
      h('h1', null, space.title),
      h('div', { class: 'actions' },
        h('a', { class: 'button quiet', href: `#/library/space/${space.id}`, id: 'space-materials' }, t('space.materials')),
        moderator ? reportsLink(space.id) : null,
        space.myRole === 'LEAD' ? h('a', { class: 'button quiet', href: `#/spaces/${space.id}/settings`, id: 'space-settings' }, t('space.settings')) : null)),
    h('p', { class: 'meta' }, space.topic, ' · ', space.schools.map((s) => s.name).join(', '),
      space.startsOn || space.endsOn ? ` · ${t('space.runs', { from: formatDate(space.startsOn) || '…', to: formatDate(space.endsOn) || '…' })}` : '',
      space.archived ? ` · ${t('space.archived')}` : ''),
    status,
    h('div', { class: 'space' },
      channelNav,
      h('section', { class: 'chat', 'aria-labelledby': 'chat-h' },
        h('h2', { id: 'chat-h', class: 'sr' }, channel ? `# ${channel.name}` : ''),
        channel?.topic ? h('p', { class: 'meta' }, channel.topic) : null,
        older, list, typingLine,
        writer && channel ? composer(null) : h('p', { class: 'meta' }, t('space.readOnly')),
        writer ? h('small', { id: 'composer-hint', class: 'hint' }, t('space.composerHint')) : null),
      threadBox,
      people),
  );
  await loadMessages();
  if (channel) {
    channel.unreadCount = 0;
    drawChannels();
    markRead();
  }
  const stop = live.subscribe(EVENTS, () => ({ s: space.id, a: cursor }), {
    next: (data) => apply(data.spaceEvents),
    resync: () => {
      if (!closed) ctx.navigate(`/spaces/${space.id}${channel ? `/${channel.id}` : ''}`);
    },
    error: (e) => {
      status.textContent = errorText(e, t);
    },
  });
  return () => {
    closed = true;
    stop();
    clearTimeout(readTimer);
    for (const x of typing.values()) clearTimeout(x.timer);
  };
}

/** The moderation queue's link, with how many reports wait (asked apart: only teachers may). */
function reportsLink(id) {
  const a = h('a', { class: 'button quiet', href: `#/spaces/${id}/reports`, id: 'space-reports' }, t('space.reports'));
  gql('query($id: ID!) { space(id: $id) { openReportCount } }', { id }).then((d) => {
    const n = d.space?.openReportCount;
    if (n) add(a, ' ', h('span', { class: 'badge', id: 'reports-badge' }, h('span', { class: 'sr' }, t('space.reportsWaiting')), String(n)));
  }).catch(() => {});
  return a;
}

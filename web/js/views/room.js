// An event's live room: chat, questions with one vote each (the most
// wanted rise), polls, raised hands and who is here. The room is read
// once with its `head` cursor, then `eventLive(after: head)` brings every
// change in order, and after a dropped connection, what was missed.

import { ApiError, errorText, gql, live } from '../api.js';
import { add, field, fill, h, html, statusLine } from '../dom.js';
import { formatTime, label, t } from '../i18n.js';

const QN = 'id body author { id name } askedAt votes answered pinned hidden';
const PL = 'id question options multiple open counts voters';
const Q = `query($id: ID!) { event(id: $id) { id title status canManage canTakePart
  live { head live questions { ${QN} } myVotes polls { ${PL} } myChoices { pollId choices }
    hands { participant { id name } at } present { id name role }
    chat { cursor kind at message { id author { id name role } html } } } } }`;
const SUB = `subscription($e: ID!, $a: String) { eventLive(eventId: $e, after: $a) {
  cursor at kind participant { id name role } messageId message { id author { id name role } html }
  question { ${QN} } questionId votes poll { ${PL} } pollId counts voters raised } }`;

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const e = d.event;
  if (!e) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return null;
  }
  ctx.title(t('room.title', { name: e.title }));
  const room = e.live;
  let cursor = room.head;
  const manage = e.canManage;
  // Watchers (not registered, not in the audience) see the room but act in it not.
  const takePart = e.canTakePart || manage;
  const status = statusLine();
  const questions = new Map(room.questions.map((q) => [q.id, q]));
  const myVotes = new Set(room.myVotes);
  // The room lists polls newest first; the map keeps them oldest first.
  const polls = new Map([...room.polls].reverse().map((p) => [p.id, p]));
  const myChoices = new Map(room.myChoices.map((c) => [c.pollId, c.choices]));
  const hands = new Map(room.hands.map((x) => [x.participant.id, x]));
  const present = new Map(room.present.map((p) => [p.id, p]));
  const chatIds = new Set();
  let isLive = room.live;

  const liveLine = h('p', { class: 'live-state', id: 'live-state', role: 'status' });
  const chat = h('ol', { class: 'messages', id: 'live-chat', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t('room.chat') });
  const qList = h('ol', { class: 'questions plain', id: 'questions' });
  const pollBox = h('div', { id: 'polls' });
  const handList = h('ul', { class: 'plain', id: 'hands' });
  const presentList = h('ul', { class: 'plain', id: 'present' });
  const myHand = h('button', { type: 'button', id: 'hand', 'aria-pressed': 'false' });

  function drawLive() {
    liveLine.textContent = isLive ? t('room.isLive') : e.status === 'ENDED' ? t('room.ended') : t('room.notLive');
    liveLine.className = isLive ? 'live-state on' : 'live-state';
  }

  function chatItem(m) {
    chatIds.add(m.id);
    // Hosts take a message out of the room for everyone.
    const hide = manage && h('button', {
      type: 'button',
      class: 'link hide-live-message',
      'aria-label': t('room.hideMessage', { name: m.author.name }),
      onclick: async () => {
        try {
          await gql('mutation($e: ID!, $m: ID!) { hideLiveMessage(eventId: $e, messageId: $m) }', { e: e.id, m: m.id });
          removeChat(m.id);
        } catch (err) {
          status.textContent = errorText(err, t);
        }
      },
    }, t('room.hide'));
    return h('li', { class: 'message', dataset: { id: m.id } },
      h('p', { class: 'by' }, h('strong', null, m.author.name), ' ', h('small', { class: 'meta' }, label('Role', m.author.role)), hide ? ' ' : null, hide || null),
      html('div', { class: 'body' }, m.html));
  }

  function removeChat(id) {
    for (const li of chat.querySelectorAll('li.message')) {
      if (li.dataset.id === id) li.remove();
    }
  }

  function drawQuestions() {
    const list = [...questions.values()].filter((q) => manage || !q.hidden)
      .sort((a, b) => (b.pinned - a.pinned) || (a.answered - b.answered) || (b.votes - a.votes) || a.askedAt.localeCompare(b.askedAt));
    fill(qList, list.map((q) => {
      const voted = myVotes.has(q.id);
      const li = h('li', { class: `question${q.pinned ? ' pinned' : ''}${q.answered ? ' answered' : ''}`, dataset: { id: q.id } },
        h('button', {
          type: 'button',
          class: voted ? 'vote mine' : 'vote',
          'aria-pressed': voted ? 'true' : 'false',
          disabled: !isLive || !takePart,
          onclick: async () => {
            try {
              const r = await gql('mutation($e: ID!, $q: ID!, $up: Boolean!) { upvoteQuestion(eventId: $e, questionId: $q, up: $up) { questionId votes } }',
                { e: e.id, q: q.id, up: !voted });
              if (voted) myVotes.delete(q.id);
              else myVotes.add(q.id);
              q.votes = r.upvoteQuestion.votes;
              drawQuestions();
            } catch (err) {
              status.textContent = errorText(err, t);
            }
          },
        }, h('span', { class: 'sr' }, t(voted ? 'room.unvote' : 'room.vote', { n: q.votes })),
        h('span', { 'aria-hidden': 'true' }, '▲ ', h('span', { class: 'votes' }, String(q.votes)))),
        h('div', null, h('p', null, q.body), h('p', { class: 'meta' }, q.author.name, ' · ', formatTime(q.askedAt),
          q.pinned ? ` · ${t('room.pinned')}` : '', q.answered ? ` · ${t('room.answered')}` : '', q.hidden ? ` · ${t('room.hiddenQ')}` : '')));
      if (manage) {
        const mark = (k) => async () => {
          try {
            const r = await gql(`mutation($e: ID!, $q: ID!, $v: Boolean) { markQuestion(eventId: $e, questionId: $q, ${k}: $v) { ${QN} } }`, { e: e.id, q: q.id, v: !q[k] });
            questions.set(q.id, r.markQuestion);
            drawQuestions();
          } catch (err) {
            status.textContent = errorText(err, t);
          }
        };
        add(li, h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'link', onclick: mark('answered') }, q.answered ? t('room.unanswer') : t('room.answer')),
          h('button', { type: 'button', class: 'link', onclick: mark('pinned') }, q.pinned ? t('room.unpin') : t('room.pin')),
          h('button', { type: 'button', class: 'link', onclick: mark('hidden') }, q.hidden ? t('room.show') : t('room.hide'))));
      }
      return li;
    }));
  }

  function pollItem(p) {
    const mine = myChoices.get(p.id);
    const total = p.counts.reduce((a, b) => a + b, 0) || 1;
    const name = `poll-${p.id}`;
    const results = h('ul', { class: 'plain results' }, p.options.map((o, i) => h('li', null,
      h('span', null, o, ' — ', String(p.counts[i] ?? 0)), h('meter', { min: 0, max: total, value: p.counts[i] ?? 0, 'aria-label': o }))));
    const box = h('fieldset', { class: 'poll card', dataset: { poll: p.id } }, h('legend', null, p.question,
      p.open ? '' : ` (${t('room.closed')})`));
    if (p.open && !mine && isLive && takePart) {
      const form = h('form', {
        onsubmit: async (ev) => {
          ev.preventDefault();
          const choices = [...form.querySelectorAll('input:checked')].map((x) => Number(x.value));
          if (!choices.length) return;
          try {
            const r = await gql('mutation($e: ID!, $p: ID!, $c: [Int!]!) { votePoll(eventId: $e, pollId: $p, choices: $c) { pollId counts voters } }', { e: e.id, p: p.id, c: choices });
            myChoices.set(p.id, choices);
            Object.assign(p, { counts: r.votePoll.counts, voters: r.votePoll.voters });
            drawPolls();
          } catch (err) {
            status.textContent = errorText(err, t);
          }
        },
      }, p.options.map((o, i) => h('label', null, h('input', { type: p.multiple ? 'checkbox' : 'radio', name, value: i }), ' ', o)),
      h('button', { type: 'submit' }, t('room.voteSubmit')));
      add(box, form);
    }
    if (mine || !p.open || manage || !isLive || !takePart) {
      add(box, results, h('p', { class: 'meta' }, t('room.voters', { n: p.voters })));
    }
    if (manage && p.open) {
      add(box, h('button', {
        type: 'button',
        class: 'quiet',
        onclick: async () => {
          try {
            const r = await gql(`mutation($e: ID!, $p: ID!) { closePoll(eventId: $e, pollId: $p) { ${PL} } }`, { e: e.id, p: p.id });
            polls.set(p.id, r.closePoll);
            drawPolls();
          } catch (err) {
            status.textContent = errorText(err, t);
          }
        },
      }, t('room.closePoll')));
    }
    return box;
  }

  function drawPolls() {
    fill(pollBox, [...polls.values()].reverse().map(pollItem));
  }

  function drawHands() {
    fill(handList, [...hands.values()].map((x) => h('li', null, '✋ ', x.participant.name, manage ? [' ', h('button', {
      type: 'button',
      class: 'link',
      onclick: () => gql('mutation($e: ID!, $p: ID) { raiseHand(eventId: $e, raised: false, person: $p) }', { e: e.id, p: x.participant.id }).catch((err) => { status.textContent = errorText(err, t); }),
    }, t('room.lower'))] : null)));
    const up = hands.has(ctx.me.id);
    myHand.textContent = up ? t('room.lowerMine') : t('room.raise');
    myHand.setAttribute('aria-pressed', up ? 'true' : 'false');
    myHand.disabled = !isLive;
    myHand.hidden = !takePart;
  }

  function drawPresent() {
    fill(presentList, [...present.values()].map((p) => h('li', null, p.name, ' ', h('small', { class: 'meta' }, label('Role', p.role)))));
  }

  myHand.addEventListener('click', async () => {
    try {
      await gql('mutation($e: ID!, $r: Boolean!) { raiseHand(eventId: $e, raised: $r) }', { e: e.id, r: !hands.has(ctx.me.id) });
    } catch (err) {
      status.textContent = errorText(err, t);
    }
  });

  function apply(ev) {
    cursor = ev.cursor;
    switch (ev.kind) {
      case 'STARTED': isLive = true; drawLive(); drawHands(); drawPolls(); drawQuestions(); break;
      case 'ENDED': isLive = false; e.status = 'ENDED'; drawLive(); drawHands(); drawPolls(); drawQuestions(); break;
      case 'JOINED': if (ev.participant) { present.set(ev.participant.id, ev.participant); drawPresent(); } break;
      case 'LEFT': if (ev.participant) { present.delete(ev.participant.id); drawPresent(); } break;
      case 'CHAT_POSTED':
        if (ev.message && !chatIds.has(ev.message.id)) {
          add(chat, chatItem(ev.message));
          chat.scrollTop = chat.scrollHeight;
        }
        break;
      case 'CHAT_HIDDEN':
        if (ev.messageId) removeChat(ev.messageId);
        break;
      case 'QUESTION_ASKED': case 'QUESTION_UPDATED':
        if (ev.question) { questions.set(ev.question.id, ev.question); drawQuestions(); }
        break;
      case 'QUESTION_VOTED': {
        const q = questions.get(ev.questionId);
        if (q) { q.votes = ev.votes; drawQuestions(); }
        break;
      }
      case 'POLL_OPENED': case 'POLL_CLOSED':
        if (ev.poll) { polls.set(ev.poll.id, ev.poll); drawPolls(); }
        break;
      case 'POLL_VOTED': {
        const p = polls.get(ev.pollId);
        if (p) { p.counts = ev.counts; p.voters = ev.voters; drawPolls(); }
        break;
      }
      case 'HAND_CHANGED':
        if (ev.participant) {
          if (ev.raised) hands.set(ev.participant.id, { participant: ev.participant, at: ev.at });
          else hands.delete(ev.participant.id);
          drawHands();
        }
        break;
      default: break;
    }
  }

  const chatBody = h('textarea', { id: 'live-message', rows: 2, maxlength: 2000 });
  const chatForm = h('form', {
    class: 'composer',
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (!chatBody.value.trim()) return;
      try {
        const r = await gql('mutation($e: ID!, $b: String!) { postLiveMessage(eventId: $e, body: $b) { kind message { id author { id name role } html } } }', { e: e.id, b: chatBody.value.trim() });
        chatBody.value = '';
        if (r.postLiveMessage.message && !chatIds.has(r.postLiveMessage.message.id)) add(chat, chatItem(r.postLiveMessage.message));
      } catch (err) {
        status.textContent = errorText(err, t);
      }
    },
  }, h('label', { for: 'live-message' }, t('room.say')), chatBody, h('button', { type: 'submit', id: 'live-send' }, t('space.send')));
  chatBody.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      chatForm.requestSubmit();
    }
  });

  const ask = h('textarea', { id: 'question-body', rows: 2, maxlength: 500 });
  const askForm = h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (!ask.value.trim()) return;
      try {
        const r = await gql(`mutation($e: ID!, $b: String!) { askQuestion(eventId: $e, body: $b) { ${QN} } }`, { e: e.id, b: ask.value.trim() });
        ask.value = '';
        questions.set(r.askQuestion.id, r.askQuestion);
        drawQuestions();
      } catch (err) {
        status.textContent = errorText(err, t);
      }
    },
  }, field(t('room.ask'), ask), h('button', { type: 'submit', id: 'ask' }, t('room.askSubmit')));

  let pollForm = null;
  if (manage) {
    const question = h('input', { id: 'poll-question', maxlength: 300, required: true });
    const options = h('textarea', { id: 'poll-options', rows: 3, required: true });
    const multiple = h('input', { type: 'checkbox', id: 'poll-multiple' });
    pollForm = h('details', { class: 'panel' }, h('summary', null, t('room.newPoll')), h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const r = await gql(`mutation($e: ID!, $q: String!, $o: [String!]!, $m: Boolean!) { openPoll(eventId: $e, question: $q, options: $o, multiple: $m) { ${PL} } }`,
            { e: e.id, q: question.value.trim(), o: options.value.split('\n').map((s) => s.trim()).filter(Boolean), m: multiple.checked });
          polls.set(r.openPoll.id, r.openPoll);
          drawPolls();
          question.value = '';
          options.value = '';
        } catch (err) {
          status.textContent = errorText(err, t);
        }
      },
    }, field(t('room.pollQuestion'), question), field(t('room.pollOptions'), options, t('room.pollOptionsHint')),
    h('label', null, multiple, ' ', t('room.pollMultiple')), h('button', { type: 'submit', id: 'open-poll' }, t('room.openPoll'))));
  }

  for (const x of room.chat) if (x.message) add(chat, chatItem({ ...x.message }));
  drawLive();
  drawQuestions();
  drawPolls();
  drawHands();
  drawPresent();
  add(root, 
    h('p', { class: 'crumbs' }, h('a', { href: `#/events/${e.id}` }, e.title)),
    h('h1', null, t('room.title', { name: e.title })),
    liveLine,
    status,
    h('div', { class: 'room' },
      h('section', { 'aria-labelledby': 'q-h', class: 'card' }, h('h2', { id: 'q-h' }, t('room.questions')), takePart ? askForm : null, qList),
      h('section', { 'aria-labelledby': 'c-h', class: 'card' }, h('h2', { id: 'c-h' }, t('room.chat')), chat, takePart ? chatForm : h('p', { class: 'meta' }, t('room.watching'))),
      h('section', { 'aria-labelledby': 'p-h', class: 'card' }, h('h2', { id: 'p-h' }, t('room.polls')), pollForm, pollBox,
        h('h2', null, t('room.hands')), myHand, handList,
        h('h2', null, t('room.present')), presentList)),
  );
  const stop = live.subscribe(SUB, () => ({ e: e.id, a: cursor }), {
    next: (data) => apply(data.eventLive),
    resync: () => ctx.navigate(`/events/${e.id}/live`),
    error: (err) => {
      status.textContent = errorText(err, t);
    },
  });
  return stop;
}

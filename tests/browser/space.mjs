// Two schools of two countries open a space and talk in it live: the lead
// teacher opens it and invites a school, whose coordinator accepts and
// whose teacher joins; messages (Markdown), typing, reactions and a new
// channel's unread count reach the other browser without a reload; and a
// browser whose connection drops gets every message it missed, once and
// in order; the lead sets when the space runs, invites a mentor and
// archives it, after which nobody can write in it.

import { BASE, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';

await scenario('space', async (b) => {
  const lead = await person(b, 'lead');
  await signIn(lead, 'teacher.yerevan12', PW);
  await lead.getByRole('link', { name: 'New space' }).click();
  await lead.getByLabel('Title').fill('Water around us');
  await lead.getByLabel('Topic').fill('Water');
  await lead.getByLabel('Languages').fill('en, ru');
  await lead.getByLabel('Learning to live together').check();
  await lead.getByRole('button', { name: 'Open the space' }).click();
  await lead.getByRole('heading', { level: 1, name: 'Water around us' }).waitFor();
  const spaceUrl = lead.url();

  await lead.getByText('Invite a school').click();
  const school = lead.locator('#invite-school');
  await school.locator('option', { hasText: 'Baku Secondary School No. 23' }).waitFor({ state: 'attached' });
  const baku = await school.locator('option', { hasText: 'Baku Secondary School No. 23' }).getAttribute('value');
  await school.selectOption(baku);
  await lead.getByRole('button', { name: 'Invite', exact: true }).click();
  await lead.getByText("The school's coordinator has been invited.").waitFor();

  const coord = await person(b, 'coordinator');
  const bakuLogin = await (async () => {
    const name = await school.locator(`option[value="${baku}"]`).textContent();
    return name;
  })();
  expect(bakuLogin.includes('(AZ)'), 'an Azerbaijani school was invited');
  await signIn(coord, 'coord.baku23', PW);
  await coord.getByRole('heading', { name: 'Invitations to spaces' }).waitFor();
  await coord.getByRole('button', { name: 'Accept' }).click();
  await coord.getByRole('heading', { level: 1, name: 'Water around us' }).waitFor();

  const guest = await person(b, 'guest');
  await signIn(guest, 'teacher.baku23', PW);
  await guest.getByRole('button', { name: 'Join Water around us' }).click();
  await guest.getByLabel('Message to #general').waitFor();
  await lead.goto(spaceUrl);
  await lead.getByLabel('Message to #general').waitFor();

  // A message with Markdown goes across, rendered.
  await lead.getByLabel('Message to #general').fill('Hello from **Yerevan**!');
  await lead.getByLabel('Message to #general').press('Enter');
  await guest.locator('#messages strong', { hasText: 'Yerevan' }).waitFor();

  // Typing shows on the other side; the reply arrives live.
  await guest.getByLabel('Message to #general').pressSequentially('Salam from Baku', { delay: 10 });
  await lead.locator('#typing', { hasText: 'is typing' }).waitFor();
  await guest.getByRole('button', { name: 'Send', exact: true }).click();
  const reply = lead.locator('#messages .message', { hasText: 'Salam from Baku' });
  await reply.waitFor();
  await lead.locator('#typing:empty').waitFor();

  // A reaction is counted on both sides.
  await reply.getByRole('button', { name: /React with 👍/ }).click();
  await guest.locator('#messages .message', { hasText: 'Salam from Baku' })
    .getByRole('button', { name: 'React with 👍 1', exact: true }).waitFor();

  // A new channel appears at once; what is posted there shows as unread.
  await lead.getByLabel('New channel name').fill('project');
  await lead.getByRole('button', { name: 'Add channel' }).click();
  const projectLink = guest.locator('nav.channels a', { hasText: '# project' });
  await projectLink.waitFor();
  await lead.locator('nav.channels a', { hasText: '# project' }).click();
  await lead.getByLabel('Message to #project').fill('Our plan: measure the rain.');
  await lead.getByLabel('Message to #project').press('Enter');
  await projectLink.locator('.badge', { hasText: '1' }).waitFor();

  // The guest's connection drops; three messages are posted meanwhile.
  await guest.evaluate(() => window.lff.live.drop());
  await guest.locator('#connection:not([hidden])').waitFor();
  await lead.locator('nav.channels a', { hasText: '# general' }).click();
  for (const n of [1, 2, 3]) {
    await lead.getByLabel('Message to #general').fill(`While you were away ${n}`);
    await lead.getByLabel('Message to #general').press('Enter');
    await lead.locator('#messages .message', { hasText: `While you were away ${n}` }).waitFor();
  }
  await guest.evaluate(() => window.lff.live.release());
  await guest.locator('#connection[hidden]').waitFor({ state: 'attached' });
  await guest.locator('#messages .message', { hasText: 'While you were away 3' }).waitFor();
  const seen = await guest.locator('#messages .message .body').allTextContents();
  const away = seen.map((s) => s.trim()).filter((s) => s.startsWith('While you were away'));
  expect(JSON.stringify(away) === JSON.stringify(['While you were away 1', 'While you were away 2', 'While you were away 3']),
    `after the drop, every message once and in order: ${JSON.stringify(away)}`);

  // A thread: the guest answers the lead's first message.
  await guest.locator('#messages .message', { hasText: 'Hello from Yerevan' }).getByRole('button', { name: 'Reply' }).click();
  await guest.getByLabel('Your reply').fill('Nice to meet you!');
  await guest.getByLabel('Your reply').press('Enter');
  await lead.locator('#messages .message', { hasText: 'Hello from Yerevan' }).getByRole('button', { name: '1 reply' }).waitFor();

  await axe(lead, 'a space (lead)');
  await axe(guest, 'a space (guest)');
  expect(lead.url().startsWith(BASE), 'stayed on the portal');

  // The lead's settings: when it runs, a mentor invited, and the archive.
  expect(await guest.locator('#space-settings').count() === 0, 'only leads have the settings');
  await lead.locator('#space-settings').click();
  await lead.getByRole('heading', { level: 1, name: 'Settings of Water around us' }).waitFor();
  await axe(lead, 'space settings');
  await lead.getByLabel('Starts on').fill('2026-09-01');
  await lead.getByLabel('Ends on').fill('2026-06-01');
  await lead.locator('#save-space').click();
  await lead.getByText('The end cannot come before the start.').waitFor();
  await lead.getByLabel('Ends on').fill('2027-05-31');
  await lead.locator('#save-space').click();
  await lead.locator('#space-about .status', { hasText: 'Saved.' }).waitFor();
  await lead.locator('#invite-mentor-submit').click();
  await lead.getByText('The mentor is invited').waitFor();
  await lead.locator('#archive-space', { hasText: 'Archive the space' }).click();
  await lead.getByText('The space is archived.').waitFor();
  await lead.goto(spaceUrl);
  await lead.getByRole('heading', { level: 1, name: 'Water around us' }).waitFor();
  await lead.locator('.meta', { hasText: /from .*2026 to .*2027/ }).waitFor();
  await lead.locator('.meta', { hasText: 'Archived' }).first().waitFor();
  expect(await lead.getByLabel('Message to #general').count() === 0, 'an archived space takes no messages');
  await guest.reload();
  await guest.getByRole('heading', { level: 1, name: 'Water around us' }).waitFor();
  expect(await guest.getByLabel('Message to #general').count() === 0, 'not from the guest either');
});

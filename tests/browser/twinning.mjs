// Two schools twin: the coordinator of a school in Armenia proposes a
// twinning from the page of a school in Azerbaijan; that school's
// coordinator is notified, answers from the notification and accepts; the
// first coordinator is told, and each school's page shows the other.

import { BASE, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';

await scenario('twinning', async (b) => {
  const yerevan = await person(b, 'yerevan');
  await signIn(yerevan, 'coord.yerevan12', PW);
  await yerevan.goto(`${BASE}/#/directory/AZ`);
  await yerevan.locator('#schools a', { hasText: 'Baku Secondary School No. 23' }).click();
  await yerevan.locator('#propose-twinning').waitFor();
  const bakuPage = yerevan.url();
  await axe(yerevan, 'a partner school, to propose to');
  await yerevan.getByLabel('A message to their coordinator').fill('Let us study the Caspian and Lake Sevan together.');
  await yerevan.locator('#propose-submit').click();
  await yerevan.getByText('Proposed: the coordinator of').waitFor();
  expect(await yerevan.locator('#propose-twinning').count() === 0, 'proposed once');

  const baku = await person(b, 'baku');
  await signIn(baku, 'coord.baku23', PW);
  await baku.locator('#notifications a', { hasText: 'proposes to twin with your school' }).click();
  const proposal = baku.locator('#twinnings li', { hasText: 'Let us study the Caspian' });
  await proposal.waitFor();
  await axe(baku, 'a proposal to answer');
  await proposal.getByRole('button', { name: /^Accept the twinning with/ }).click();
  await baku.getByText('The twinning is accepted').waitFor();
  await baku.locator('#twinnings li', { hasText: 'Let us study the Caspian' }).getByText('Twinned').waitFor();
  expect(await baku.locator('#twinnings li button', { hasText: 'Accept' }).count() === 0, 'answered once');

  // The proposer is told, and each page shows the other school.
  await yerevan.goto(`${BASE}/#/`);
  await yerevan.locator('#notifications a', { hasText: 'accepted your twinning' }).click();
  const mine = yerevan.locator('#twinnings li', { hasText: 'Let us study the Caspian' });
  await mine.getByText('Twinned').waitFor();
  expect(await mine.getByRole('link').innerText() !== '', 'the partner is named with a link');
  await mine.getByRole('button', { name: /^End the twinning with/ }).waitFor();
  await yerevan.goto(bakuPage);
  await yerevan.locator('#twinnings li', { hasText: 'Twinned' }).waitFor();
});

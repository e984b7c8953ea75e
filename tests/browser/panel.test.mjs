// Browser test of Berth's superuser panel (issue 12): Debian's chromium, driven headless by
// playwright-core, against a running Berth.
//
//   node tests/browser/panel.test.mjs
//
// Environment: BERTH_URL (e.g. http://127.0.0.1:8080), BERTH_SUPERUSER and
// BERTH_SUPERUSER_PASSWORD (a regular superuser), BERTH_READONLY_USER and
// BERTH_READONLY_PASSWORD (listed in GLOBAL_READONLY_SUPER_USERS), BERTH_PLAIN_USER and
// BERTH_PLAIN_PASSWORD (not a superuser), BERTH_ORG (an existing organization; renamed and
// renamed back), SCREENSHOT_DIR (where the screenshots go; created if missing). Optional:
// CHROMIUM (default /usr/bin/chromium).
//
// Every step prints "ok - <step>"; the first failure prints "not ok - <step>: <why>", saves
// FAILED-<n>.png beside the screenshots and exits 1. The last line is "N passed, N failed".

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`not ok - setup: the environment variable ${name} is not set (see tests/browser/README.md)`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  return value;
}

const BASE = required('BERTH_URL').replace(/\/+$/, '');
const SUPERUSER = { name: required('BERTH_SUPERUSER'), password: required('BERTH_SUPERUSER_PASSWORD') };
const READONLY = { name: required('BERTH_READONLY_USER'), password: required('BERTH_READONLY_PASSWORD') };
const PLAIN = { name: required('BERTH_PLAIN_USER'), password: required('BERTH_PLAIN_PASSWORD') };
const ORG = required('BERTH_ORG');
const SHOTS = path.resolve(required('SCREENSHOT_DIR'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Names unique to this run, so a rerun against the same Berth does not collide.
const RUN = randomBytes(3).toString('hex');
const NEW_USER = `paneluser${RUN}`;
const NEW_KEY = `panel test key ${RUN}`;

// Submits a new RSA key for `service` to Berth's key server (`PUT /keys/services/...`),
// self-signed as Quay's services do; answers its kid.
async function submitServiceKey(service) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  const kid = `panel${RUN}${randomBytes(4).toString('hex')}`;
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const signed = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64({ iss: service, aud: BASE, iat: now, exp: now + 300 })}`;
  const jwt = `${signed}.${sign('sha256', Buffer.from(signed), privateKey).toString('base64url')}`;
  const res = await fetch(`${BASE}/keys/services/${service}/keys/${kid}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ kty, n, e }),
  });
  assert.equal(res.status, 202, `the key server answered ${res.status}`);
  return kid;
}

let passed = 0;
let current = null; // the page a failure screenshot is taken of
const pageErrors = [];

async function step(name, body) {
  try {
    await body();
  } catch (err) {
    console.log(`not ok - ${name}: ${err && err.message ? err.message.split('\n')[0] : err}`);
    if (err && err.message && err.message.includes('\n')) console.log(err.message);
    if (current) {
      const shot = path.join(SHOTS, `FAILED-${passed + 1}.png`);
      await current.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(`  page: ${current.url()}; screenshot: ${shot}`);
    }
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
  // An uncaught error in the page is a failure even if the step looked fine.
  if (pageErrors.length) {
    console.log(`not ok - ${name}: the page threw: ${pageErrors.join('; ')}`);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok - ${name}`);
}

// Saves a screenshot of the page, after checking it shows no stray "undefined", "false" or
// "[object Object]" where the code meant to show nothing.
async function shot(page, name) {
  const stray = await page.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (/^(undefined|null|false|true|NaN)$/.test(text) || /undefined|\[object /.test(text)) found.push(text);
    }
    return found;
  });
  assert.deepEqual(stray, [], `${name}: stray text on the page`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// A fresh browser profile (cookies of its own) with one page.
async function newPage(browser) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  current = page;
  return page;
}

async function signIn(page, user, at = '/') {
  await page.goto(at);
  await page.getByTestId('signin-username').fill(user.name);
  await page.getByTestId('signin-password').fill(user.password);
  await page.getByTestId('signin-submit').click();
  const signedIn = page.getByTestId('whoami').filter({ hasText: user.name });
  await signedIn.or(page.getByTestId('error')).first().waitFor();
  if (!(await signedIn.count())) {
    assert.fail(`signing in as ${user.name} failed: ${await page.getByTestId('error').innerText()}`);
  }
}

// Opens a panel tab and waits for its first load; fails on an error message.
async function openTab(page, tab) {
  await page.getByTestId(`tab-${tab}`).click();
  await page.locator(`[data-testid="page-${tab}"][data-loaded]`).waitFor();
  await noError(page);
}

async function noError(page) {
  const errors = page.getByTestId('error');
  if (await errors.count()) assert.fail(`the page shows an error: ${await errors.first().innerText()}`);
}

// Waits for a success notice matching `pattern` (an older notice may still be shown until the
// new one replaces it); an error message on the page fails at once.
async function notice(page, pattern) {
  const handle = await page.waitForFunction((source) => {
    const error = document.querySelector('[data-testid="error"]');
    if (error) return { error: error.textContent };
    const box = document.querySelector('[data-testid="notice"]');
    return box && new RegExp(source).test(box.textContent) ? { notice: box.textContent } : null;
  }, pattern.source);
  const result = await handle.jsonValue();
  if (result.error) assert.fail(`the page shows an error: ${result.error}`);
  return result.notice;
}

const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

await mkdir(SHOTS, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

try {
  const admin = await newPage(browser);

  await step('the sign-in page is served at /', async () => {
    await admin.goto('/');
    await admin.getByTestId('signin-form').waitFor();
    await shot(admin, '01-signin');
  });

  await step('a superuser signs in and lands on the panel', async () => {
    await signIn(admin, SUPERUSER);
    await admin.getByTestId('tabs').waitFor();
    assert.equal(new URL(admin.url()).pathname, '/superuser');
    assert.equal(await admin.getByTestId('role-badge').innerText(), 'superuser');
    await admin.locator('[data-testid="page-users"][data-loaded]').waitFor();
    await noError(admin);
  });

  let password;
  await step('create a user and read its generated password', async () => {
    await admin.getByTestId('user-create-username').fill(NEW_USER);
    await admin.getByTestId('user-create-email').fill(`${NEW_USER}@example.com`);
    await admin.getByTestId('user-create-submit').click();
    password = (await admin.getByTestId('created-password').innerText()).trim();
    // Quay's generated passwords: 32 characters of [A-Z0-9] (superuser-api.md §5.2).
    assert.match(password, /^[A-Z0-9]{32}$/);
    await admin.locator(`[data-testid="user-row"][data-name="${NEW_USER}"]`).waitFor();
    await shot(admin, '02-users');
  });

  await step('the generated password signs the new user in', async () => {
    const page = await newPage(browser);
    await signIn(page, { name: NEW_USER, password });
    await page.getByTestId('home').waitFor();
    await page.context().close();
    current = admin;
  });

  const userRow = admin.locator(`[data-testid="user-row"][data-name="${NEW_USER}"]`);
  await step('the name filter finds the user', async () => {
    await admin.getByTestId('users-filter').fill(NEW_USER);
    await admin.getByTestId('users-filter-apply').click();
    await admin.getByTestId('users-info').filter({ hasText: 'match' }).waitFor();
    await userRow.waitFor();
    assert.equal(await admin.getByTestId('user-row').count(), 1);
  });

  await step('change the user\'s e-mail', async () => {
    await userRow.getByTestId('user-edit').click();
    const editor = userRow.locator('xpath=following-sibling::tr[1]');
    await editor.getByTestId('user-email-input').fill(`${NEW_USER}.new@example.com`);
    await editor.getByTestId('user-email-save').click();
    await notice(admin, /e-mail/);
    await userRow.getByTestId('user-email').filter({ hasText: `${NEW_USER}.new@example.com` }).waitFor();
  });

  await step('disable the user', async () => {
    await userRow.getByTestId('user-toggle').click();
    await notice(admin, /disabled/);
    await userRow.getByTestId('user-state').filter({ hasText: 'disabled' }).waitFor();
  });

  await step('delete the user after a confirmation', async () => {
    await userRow.getByTestId('user-delete').click();
    await admin.getByTestId('confirm-dialog').waitFor();
    await admin.getByTestId('confirm-yes').click();
    await notice(admin, /deleted/);
    await userRow.waitFor({ state: 'detached' });
  });

  const renamed = `${ORG}-r${RUN}`;
  await step(`rename organization ${ORG}, and back`, async () => {
    await openTab(admin, 'organizations');
    assert.ok(await admin.locator('[data-mutates]').count() > 0, 'a superuser sees the rename buttons');
    for (const [from, to] of [[ORG, renamed], [renamed, ORG]]) {
      await admin.getByTestId('organizations-filter').fill(from);
      await admin.getByTestId('organizations-filter-apply').click();
      const row = admin.locator(`[data-testid="org-row"][data-name="${from}"]`);
      await row.getByTestId('org-rename').click();
      const editor = row.locator('xpath=following-sibling::tr[1]');
      await editor.getByTestId('org-rename-input').fill(to);
      await editor.getByTestId('org-rename-save').click();
      await notice(admin, new RegExp(`is now called ${to}`));
      // The list is re-fetched with the old filter: the old name is gone.
      await row.waitFor({ state: 'detached' });
      if (from === ORG) await shot(admin, '03-organizations');
    }
  });

  await step('create a service key, then change its expiry and delete it', async () => {
    await openTab(admin, 'keys');
    await admin.getByTestId('key-service').fill('paneltest');
    await admin.getByTestId('key-name').fill(NEW_KEY);
    await admin.getByTestId('key-expiration').fill(inDays(30));
    await admin.getByTestId('key-create-submit').click();
    assert.match(await admin.getByTestId('key-private').inputValue(), /BEGIN (RSA )?PRIVATE KEY/);
    const row = admin.locator(`[data-testid="key-row"][data-name="${NEW_KEY}"]`);
    await row.waitFor();
    // A key created through the API is approved by its creator (superuser-api.md §12.2).
    await row.getByTestId('key-approval').filter({ hasText: `approved by a superuser (${SUPERUSER.name})` }).waitFor();
    await shot(admin, '04-service-keys');

    const before = await row.getByTestId('key-expires').innerText();
    await row.getByTestId('key-expiry-edit').click();
    const editor = row.locator('xpath=following-sibling::tr[1]');
    await editor.getByTestId('key-expiry-input').fill(inDays(90));
    await editor.getByTestId('key-expiry-save').click();
    await notice(admin, /now expires/);
    await admin.waitForFunction(
      ([name, old]) => {
        const cell = document.querySelector(`[data-testid="key-row"][data-name="${name}"] [data-testid="key-expires"]`);
        return cell && cell.textContent !== old;
      },
      [NEW_KEY, before]);

    await row.getByTestId('key-delete').click();
    await admin.getByTestId('confirm-yes').click();
    await notice(admin, /deleted/);
    await row.waitFor({ state: 'detached' });
  });

  await step('approve a service key that waits for approval', async () => {
    // A service publishes its own key through the key server, signed by that key: it then
    // waits for a superuser's approval.
    const kid = await submitServiceKey(`panelservice${RUN}`);
    await openTab(admin, 'registry');
    await openTab(admin, 'keys');
    const row = admin.locator(`[data-testid="key-row"][data-kid="${kid}"]`);
    await row.getByTestId('key-approve').click();
    await notice(admin, /approved/);
    // "not approved" becomes "approved by a superuser (...)", and the button goes.
    await row.getByTestId('key-approval').filter({ hasText: 'approved by a superuser' }).waitFor();
    await row.getByTestId('key-approve').waitFor({ state: 'detached' });
  });

  await step('queue a registry-size recalculation', async () => {
    await openTab(admin, 'registry');
    await admin.getByTestId('registry-recalculate').click();
    await notice(admin, /queued/);
    assert.match(await admin.getByTestId('registry-status').innerText(), /queued|running|idle/);
    await shot(admin, '05-registry-size');
  });

  await step('a sign-in older than FRESH_LOGIN_TIMEOUT is renewed with the password', async () => {
    // Berth asks for a sign-in younger than 10 minutes; rather than wait, answer the next
    // registry-size read as Berth then does, once, and check that the panel asks for the
    // password, signs in again and repeats the call.
    await openTab(admin, 'users');
    await admin.route('**/api/v1/superuser/registrysize/', (route) => route.fulfill({
      status: 401,
      contentType: 'application/json',
      body: JSON.stringify({
        detail: 'Requires fresh login', error_message: 'Requires fresh login',
        error_type: 'fresh_login_required', title: 'fresh_login_required',
        type: `${BASE}/api/v1/error/fresh_login_required`, status: 401,
      }),
    }), { times: 1 });
    await admin.getByTestId('tab-registry').click();
    await admin.getByTestId('reauth-dialog').waitFor();
    await admin.getByTestId('reauth-password').fill(SUPERUSER.password);
    await admin.getByTestId('reauth-submit').click();
    await admin.locator('[data-testid="page-registry"][data-loaded]').waitFor();
    await noError(admin);
    await admin.getByTestId('registry-status').waitFor();
    assert.equal(await admin.getByTestId('reauth-dialog').count(), 0);
  });

  await step('the usage-log chart shows real entries', async () => {
    await openTab(admin, 'logs');
    const bars = admin.getByTestId('logs-chart-bar');
    assert.ok((await bars.count()) >= 1, 'at least one bar');
    const counts = await bars.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-count'))));
    assert.ok(counts.every((n) => n > 0), `bar counts ${counts}`);
    // This run's own actions are among the newest entries.
    const kinds = await admin.getByTestId('log-kind').allInnerTexts();
    const ours = ['user_create', 'user_delete', 'user_disable', 'org_change_name', 'service_key_create', 'service_key_delete'];
    assert.ok(kinds.some((k) => ours.includes(k)), `newest entries: ${kinds.join(', ')}`);
    await shot(admin, '06-usage-logs');
  });

  await step('the quotas page', async () => {
    await openTab(admin, 'quotas');
    const off = (await admin.getByTestId('quotas-info').innerText()).includes('off');
    if (!off) {
      const row = admin.locator(`[data-testid="quota-row"][data-name="${ORG}"]`);
      if ((await row.count()) === 0) {
        await admin.getByTestId('quota-namespace').fill(ORG);
        await admin.getByTestId('quota-limit').fill('1 GiB');
        await admin.getByTestId('quota-create-submit').click();
        await notice(admin, /now has a quota/);
        await row.getByTestId('quota-limit-cell').filter({ hasText: '1.0 GiB' }).waitFor();
        await shot(admin, '07-quotas');
        await row.getByTestId('quota-delete').click();
        await admin.getByTestId('confirm-yes').click();
        await notice(admin, /removed/);
        await row.waitFor({ state: 'detached' });
        return;
      }
    }
    await shot(admin, '07-quotas');
  });

  await step('the builds page explains an unknown build', async () => {
    await openTab(admin, 'builds');
    await admin.getByTestId('build-uuid').fill('00000000-0000-4000-8000-000000000000');
    await admin.getByTestId('build-lookup').click();
    const error = admin.getByTestId('error');
    await error.waitFor();
    assert.match(await error.innerText(), /no build|Unable to locate/i);
    await shot(admin, '08-builds');
  });

  await step('sign out', async () => {
    await admin.getByTestId('signout').click();
    await admin.getByTestId('signin-form').waitFor();
    assert.equal(new URL(admin.url()).pathname, '/');
    await admin.context().close();
  });

  await step('a plain user who opens /superuser is refused', async () => {
    const page = await newPage(browser);
    await signIn(page, PLAIN, '/superuser');
    await page.getByTestId('not-allowed').waitFor();
    assert.equal(await page.getByTestId('tabs').count(), 0);
    await shot(page, '09-not-allowed');
    await page.context().close();
  });

  await step('a read-only superuser sees every page but nothing that changes anything', async () => {
    const page = await newPage(browser);
    await signIn(page, READONLY, '/superuser');
    assert.equal(await page.getByTestId('role-badge').innerText(), 'read-only superuser');
    await page.getByTestId('readonly-note').waitFor();
    for (const tab of ['users', 'organizations', 'logs', 'registry', 'keys', 'quotas', 'builds']) {
      await openTab(page, tab);
      const changing = await page.locator('[data-mutates]').count();
      assert.equal(changing, 0, `${tab}: ${changing} elements that change something are shown`);
      await shot(page, `10-readonly-${tab}`);
    }
    // The pages did load their data: the users list is not empty.
    await openTab(page, 'users');
    assert.ok(await page.getByTestId('user-row').count() > 0, 'the users list is not empty');
    await page.context().close();
  });
} finally {
  await browser.close();
}

console.log(`screenshots: ${SHOTS}`);
console.log(`${passed} passed, 0 failed`);

// Prepares a new, empty Berth for panel.test.mjs and prints the variables the test reads.
//
//   BERTH_URL=http://127.0.0.1:8080 node tests/browser/seed.mjs > env.sh && . ./env.sh
//
// The Berth must run with a config like the one in README.md here: FEATURE_USER_INITIALIZE on,
// FEATURE_MAILING off, SUPER_USERS naming the superuser and GLOBAL_READONLY_SUPER_USERS the
// read-only one. It creates, through the public API only: the superuser (POST
// /api/v1/user/initialize, which also gives an OAuth token), the read-only and the plain user
// (POST /api/v1/superuser/users/, which generates their passwords) and an organization
// (POST /api/v1/organization/).
//
// Names can be changed with BERTH_SUPERUSER, BERTH_READONLY_USER, BERTH_PLAIN_USER and BERTH_ORG.

const base = (process.env.BERTH_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const names = {
  superuser: process.env.BERTH_SUPERUSER || 'admin',
  readonly: process.env.BERTH_READONLY_USER || 'auditor',
  plain: process.env.BERTH_PLAIN_USER || 'plainuser',
  org: process.env.BERTH_ORG || 'panelorg',
};
const superuserPassword = process.env.BERTH_SUPERUSER_PASSWORD || 'password123';

async function call(method, path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

try {
  const init = await call('POST', '/api/v1/user/initialize', {
    username: names.superuser,
    password: superuserPassword,
    email: `${names.superuser}@example.com`,
    access_token: true,
  });
  const token = init.access_token;
  const created = {};
  for (const who of ['readonly', 'plain']) {
    const user = await call('POST', '/api/v1/superuser/users/', {
      username: names[who],
      email: `${names[who]}@example.com`,
    }, token);
    created[who] = user.password;
  }
  await call('POST', '/api/v1/organization/', { name: names.org, email: `${names.org}@example.com` }, token);

  const quote = (v) => `'${String(v).replace(/'/g, "'\\''")}'`;
  const lines = {
    BERTH_URL: base,
    BERTH_SUPERUSER: names.superuser,
    BERTH_SUPERUSER_PASSWORD: superuserPassword,
    BERTH_READONLY_USER: names.readonly,
    BERTH_READONLY_PASSWORD: created.readonly,
    BERTH_PLAIN_USER: names.plain,
    BERTH_PLAIN_PASSWORD: created.plain,
    BERTH_ORG: names.org,
  };
  for (const [key, value] of Object.entries(lines)) console.log(`export ${key}=${quote(value)}`);
} catch (err) {
  console.error(`seed: ${err.message}`);
  process.exit(1);
}

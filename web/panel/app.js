// Berth superuser panel: a small single-page app with no build step and no dependencies.
//
// Served by Berth at `/` (sign-in) and `/superuser` (the panel; `?tab=` picks a page), with this
// file at /static/panel/app.js. It speaks only the public Quay API under /api/v1, with a
// browser session: GET /csrf_token, POST /api/v1/signin, then the session cookie on every call
// and the CSRF token on every call that is not a GET.
//
// Every element a test needs has a `data-testid`. Every element that changes something also
// carries `data-mutates`; none is rendered for a global read-only superuser.

// ---------------------------------------------------------------------------------------------
// DOM helpers. Text from the API always goes in as text nodes, never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key === 'mutates') el.setAttribute('data-mutates', '');
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
// Replaces an element's children; like h(), skips false, null and undefined.
function fill(el, ...children) {
  el.replaceChildren();
  return build(el, {}, children);
}
const svg = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

// A button that changes something: marked, and never built for read-only superusers.
function action(label, testid, onclick, cls = '') {
  return h('button', { type: 'button', class: cls, testid, mutates: true, onclick }, label);
}

// ---------------------------------------------------------------------------------------------
// Formatting.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

function bytes(n) {
  if (n === null || n === undefined) return '—';
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

// Dates from the API: RFC 2822 ("Tue, 18 Feb 2025 19:28:15 -0000"), HTTP dates ("... GMT") or
// epoch milliseconds. Shown in the reader's local time.
function when(value) {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// "YYYY-MM-DD" (an <input type=date> value) as the MM/DD/YYYY the logs endpoints take.
function quayDate(iso) {
  const [y, m, d] = iso.split('-');
  return `${m}/${d}/${y}`;
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// The API client.

const state = {
  csrf: null, // the session's CSRF token
  user: null, // GET /api/v1/user/, or null when signed out
  reauth: null, // the pending "confirm your password" prompt, shared by concurrent calls
};

// Regular superusers may change things; global read-only superusers may only look.
function role() {
  if (!state.user) return 'anonymous';
  if (state.user.super_user === true) return 'superuser';
  if (state.user.global_readonly_super_user === true) return 'readonly';
  return 'user';
}
const canWrite = () => role() === 'superuser';

class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
    this.type = body && typeof body === 'object' ? body.error_type || null : null;
  }
}

// Quay answers errors in several shapes (superuser-api.md §2): the problem body (`detail`,
// `error_message`), `{"message": ...}`, `{"error": ...}`, and plain text for 429.
function describe(status, body) {
  if (body && typeof body === 'object') {
    if (body.error_type === 'insufficient_scope') return 'You are not allowed to do this.';
    if (body.error_type === 'invalid_token') return 'You are not signed in (or your session ended).';
    if (body.error_type === 'fresh_login_required') {
      return 'Your sign-in is too old for this; sign in again.';
    }
    const text = body.detail || body.error_message || body.message || body.error;
    // Schema errors carry a dump after the first line; the first line says it.
    if (typeof text === 'string' && text.trim()) return text.split('\n')[0];
    // Query-parameter errors: {"message": {"limit": "<help>"}}.
    if (text && typeof text === 'object') {
      return Object.entries(text).map(([k, v]) => `${k}: ${v}`).join('; ');
    }
  }
  if (typeof body === 'string' && body.trim()) return body.trim().split('\n')[0];
  const plain = {
    400: 'The server did not accept this request.',
    401: 'You are not signed in.',
    403: 'You are not allowed to do this.',
    404: 'Not found.',
    415: 'The server did not accept this request.',
    429: 'Too many attempts; wait a little and try again.',
    503: 'The registry is read-only or busy right now.',
  };
  return plain[status] || `The server answered with status ${status}.`;
}

async function fetchCsrf() {
  const res = await fetch('/csrf_token', {
    credentials: 'same-origin',
    headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
  });
  if (!res.ok) throw new ApiError(res.status, await res.text());
  state.csrf = (await res.json()).csrf_token;
}

// One call to /api/v1. Returns {status, data}; throws ApiError with a plain-words message.
// `reauth: false` skips the password prompt on `fresh_login_required` (background polling).
async function api(method, path, body, { reauth = true, retried = false } = {}) {
  // The header lets browsers' GETs through BROWSER_API_CALLS_XHR_ONLY (superuser-api.md §3.6).
  const headers = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (!state.csrf) await fetchCsrf();
    headers['X-CSRF-Token'] = state.csrf;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, 'Could not reach the registry. Check the connection and try again.');
  }
  // Signing in rotates the CSRF token and hands the new one over in this header.
  const next = res.headers.get('X-Next-CSRF-Token');
  if (next) state.csrf = next;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (res.ok) return { status: res.status, data };

  if (!retried) {
    // The session changed under us (signed in or out in another tab): new token, once more.
    if (res.status === 403 && data && /CSRF/.test(data.error || '')) {
      await fetchCsrf();
      return api(method, path, body, { reauth, retried: true });
    }
    // Superuser calls need a sign-in younger than FRESH_LOGIN_TIMEOUT (10 minutes by default).
    // Berth has no /signin/verify, so confirming the password is a new sign-in.
    if (reauth && data && data.error_type === 'fresh_login_required' && state.user) {
      if (await confirmPassword()) return api(method, path, body, { reauth, retried: true });
    }
  }
  throw new ApiError(res.status, data);
}

const get = (path, opts) => api('GET', path, undefined, opts).then((r) => r.data);
const enc = encodeURIComponent;

async function loadUser() {
  try {
    return await get('/user/', { reauth: false });
  } catch (err) {
    if (err.status === 401 || err.status === 403) return null;
    throw err;
  }
}

async function signIn(username, password) {
  await fetchCsrf(); // starts the session cookie the sign-in needs
  await api('POST', '/signin', { username, password }, { reauth: false, retried: true });
  state.user = await loadUser();
}

async function signOut() {
  try {
    await api('POST', '/signout', undefined, { reauth: false });
  } finally {
    state.user = null;
    await fetchCsrf().catch(() => {});
    navigate('/');
  }
}

// ---------------------------------------------------------------------------------------------
// Dialogs: in-page, so that tests can click them and nothing depends on window.confirm.

function confirmAction(message, confirmLabel = 'Delete') {
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const dialog = h('dialog', { testid: 'confirm-dialog', oncancel: () => done(false) },
      h('p', {}, message),
      h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'danger primary', testid: 'confirm-yes', onclick: () => done(true) }, confirmLabel),
        h('button', { type: 'button', testid: 'confirm-no', onclick: () => done(false) }, 'Cancel')));
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Asks for the password again and signs in anew; true when it worked.
function confirmPassword() {
  if (state.reauth) return state.reauth;
  state.reauth = new Promise((resolve) => {
    const error = h('p', { class: 'error', testid: 'reauth-error', hidden: true });
    const password = h('input', { type: 'password', testid: 'reauth-password', autocomplete: 'current-password', required: true });
    const finish = (ok) => {
      dialog.close();
      dialog.remove();
      state.reauth = null;
      resolve(ok);
    };
    const form = h('form', {
      class: 'stack',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await signIn(state.user.username, password.value);
          finish(state.user !== null);
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
        }
      },
    },
    h('p', {}, `This needs a recent sign-in. Enter the password of ${state.user.username} to go on.`),
    h('label', {}, 'Password', password),
    error,
    h('div', { class: 'row-actions' },
      h('button', { type: 'submit', class: 'primary', testid: 'reauth-submit' }, 'Confirm'),
      h('button', { type: 'button', testid: 'reauth-cancel', onclick: () => finish(false) }, 'Cancel')));
    const dialog = h('dialog', { testid: 'reauth-dialog', oncancel: () => finish(false) }, form);
    document.body.append(dialog);
    dialog.showModal();
  });
  return state.reauth;
}

// A message slot at the top of a page: `show(kind, text)`; kind is 'notice' or 'error'.
function messages() {
  const box = h('div', { testid: 'messages' });
  const show = (kind, ...content) => {
    box.replaceChildren(h('div', { class: kind, testid: kind, role: kind === 'error' ? 'alert' : 'status' }, ...content));
  };
  show.clear = () => box.replaceChildren();
  return { box, show };
}

// Runs `work` with `button` disabled; shows an error in plain words when it fails.
async function attempt(show, work, button) {
  if (button) button.disabled = true;
  try {
    await work();
  } catch (err) {
    show('error', err.message);
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

// A page's first load: afterwards (done or failed) the page carries `data-loaded`, so a test
// knows the buttons it looks for, or their absence, are final.
function firstLoad(page, show, load) {
  attempt(show, load).then(() => page.setAttribute('data-loaded', ''));
}

// ---------------------------------------------------------------------------------------------
// Routing: `/` is the sign-in page, `/superuser?tab=...` the panel; no reloads.

const root = document.getElementById('app');
const who = document.getElementById('who');

function navigate(url) {
  history.pushState(null, '', url);
  render();
}

function render() {
  renderWho();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (!state.user) return renderSignIn(path === '/superuser');
  if (path === '/superuser') {
    return role() === 'user' ? renderNotAllowed() : renderPanel();
  }
  if (role() === 'superuser' || role() === 'readonly') {
    history.replaceState(null, '', '/superuser');
    return renderPanel();
  }
  return renderSignedInHome();
}

function renderWho() {
  if (!state.user) return who.replaceChildren();
  const badge = { superuser: 'superuser', readonly: 'read-only superuser' }[role()];
  fill(who,
    h('span', { testid: 'whoami' }, state.user.username),
    badge && h('span', { class: 'badge', testid: 'role-badge' }, badge),
    h('button', { type: 'button', testid: 'signout', onclick: signOut }, 'Sign out'));
}

function renderSignIn(forPanel) {
  const { box, show } = messages();
  const username = h('input', { name: 'username', testid: 'signin-username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', testid: 'signin-password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'signin-submit' }, 'Sign in');
  const form = h('form', {
    class: 'stack',
    testid: 'signin-form',
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        await signIn(username.value.trim(), password.value);
        if (!state.user) throw new Error('Signed in, but the registry did not say who you are.');
        // Superusers go to the panel; others stay and are told there is nothing for them.
        navigate(role() === 'user' && !forPanel ? '/' : `/superuser${location.search}`);
      }, submit);
    },
  },
  h('label', {}, 'Username or e-mail', username),
  h('label', {}, 'Password', password),
  submit);
  root.replaceChildren(h('section', { class: 'card narrow', testid: 'signin-page' },
    h('h1', {}, 'Sign in to Berth'),
    forPanel && h('p', { class: 'muted' }, 'The superuser panel needs you to sign in first.'),
    box, form));
  username.focus();
}

function renderNotAllowed() {
  root.replaceChildren(h('section', { class: 'card', testid: 'not-allowed' },
    h('h1', {}, 'Not allowed'),
    h('p', {}, `The superuser panel is only for the registry's superusers, and ${state.user.username} is not one.`),
    h('p', { class: 'muted' }, 'Ask a superuser if you need something changed, or sign out and sign in with another account.')));
}

function renderSignedInHome() {
  root.replaceChildren(h('section', { class: 'card', testid: 'home' },
    h('h1', {}, `Signed in as ${state.user.username}`),
    h('p', {}, 'Berth\'s web pages are the superuser panel only, and this account is not a superuser. ' +
      'Use podman, skopeo or the /api/v1 API to work with your repositories.')));
}

// ---------------------------------------------------------------------------------------------
// The panel.

const TABS = [
  ['users', 'Users', renderUsers],
  ['organizations', 'Organizations', renderOrganizations],
  ['logs', 'Usage logs', renderLogs],
  ['registry', 'Registry size', renderRegistrySize],
  ['keys', 'Service keys', renderServiceKeys],
  ['quotas', 'Quotas', renderQuotas],
  ['builds', 'Builds', renderBuilds],
];

function currentTab() {
  const name = new URLSearchParams(location.search).get('tab');
  return TABS.find(([id]) => id === name) || TABS[0];
}

function renderPanel() {
  const [tabId, , renderTab] = currentTab();
  const nav = h('nav', { class: 'tabs', testid: 'tabs' },
    TABS.map(([id, label]) => h('a', {
      href: `/superuser?tab=${id}`,
      testid: `tab-${id}`,
      'aria-current': id === tabId ? 'page' : false,
      onclick: (event) => {
        event.preventDefault();
        navigate(`/superuser?tab=${id}`);
      },
    }, label)));
  const page = h('section', { testid: `page-${tabId}` });
  fill(root,
    h('h1', {}, 'Superuser panel'),
    role() === 'readonly' && h('p', { class: 'muted', testid: 'readonly-note' },
      'You are a global read-only superuser: you can see everything here but change nothing.'),
    nav, page);
  renderTab(page);
}

// Walks a paged superuser list (`users` or `organizations`) to its end, at most `maxPages`
// pages of 100. The API has no substring filter on names, so filtering happens here.
async function listAll(path, key, maxPages = 20, extra = {}) {
  const items = [];
  let token = null;
  for (let page = 0; page < maxPages; page += 1) {
    const query = new URLSearchParams({ limit: '100', ...extra });
    if (token) query.set('next_page', token);
    const data = await get(`${path}?${query}`);
    items.push(...data[key]);
    token = data.next_page;
    if (!token) return { items, complete: true };
  }
  return { items, complete: false };
}

// A paged table of a superuser list with a name filter: the shared frame of the users and
// organizations pages. `row(item, reload, show)` gives the table row(s) of one item.
function pagedList(page, { path, key, noun, pageSize, extraQuery, header, row }) {
  const { box, show } = messages();
  const filter = h('input', { type: 'search', placeholder: `Filter by name`, testid: `${key}-filter` });
  const body = h('tbody', {});
  const info = h('span', { class: 'muted', testid: `${key}-info` });
  const prev = h('button', { type: 'button', testid: `${key}-prev`, disabled: true }, '← Previous');
  const next = h('button', { type: 'button', testid: `${key}-next`, disabled: true }, 'Next →');
  // Page tokens of the pages before the one shown, so "Previous" can go back.
  let tokens = [];
  let current = null;

  async function load(token = current) {
    current = token;
    const wanted = filter.value.trim().toLowerCase();
    let items;
    let more = null;
    if (wanted) {
      const all = await listAll(path, key, 20, extraQuery());
      items = all.items.filter((item) => item.name.toLowerCase().includes(wanted));
      info.textContent = `${items.length} ${noun} match` +
        (all.complete ? '' : ` (only the first ${all.items.length} were searched)`);
    } else {
      const query = new URLSearchParams({ limit: String(pageSize), ...extraQuery() });
      if (token) query.set('next_page', token);
      const data = await get(`${path}?${query}`);
      items = data[key];
      more = data.next_page || null;
      info.textContent = `${items.length} ${noun} on this page`;
    }
    if (!page.isConnected) return;
    body.replaceChildren(...items.flatMap((item) => row(item, reload, show)));
    if (items.length === 0) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: header.length, class: 'muted' }, `No ${noun}.`)));
    }
    prev.disabled = wanted !== '' || tokens.length === 0;
    next.disabled = !more;
    next.onclick = () => {
      tokens.push(current);
      attempt(show, () => load(more), next);
    };
  }
  prev.onclick = () => attempt(show, () => load(tokens.pop()), prev);
  // After a change: the same page again, so nothing needs a reload.
  const reload = () => load(current);
  const restart = () => {
    tokens = [];
    return load(null);
  };

  const filterForm = h('form', {
    class: 'inline',
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, restart);
    },
  }, filter, h('button', { type: 'submit', testid: `${key}-filter-apply` }, 'Filter'));

  const table = h('table', { testid: `${key}-table` },
    h('thead', {}, h('tr', {}, header.map((title) => h('th', {}, title)))), body);
  return { box, show, filterForm, table, pager: h('div', { class: 'toolbar' }, prev, next, info), load: restart };
}

// ----- Users ---------------------------------------------------------------------------------

function renderUsers(page) {
  const onlyEnabled = h('input', { type: 'checkbox', testid: 'users-only-enabled' });
  const list = pagedList(page, {
    path: '/superuser/users/',
    key: 'users',
    noun: 'users',
    pageSize: 50,
    // `disabled=false` lists enabled users only (superuser-api.md §5.1).
    extraQuery: () => (onlyEnabled.checked ? { disabled: 'false' } : {}),
    header: ['Username', 'E-mail', 'State', 'Role', ''],
    row: userRows,
  });
  onlyEnabled.addEventListener('change', () => attempt(list.show, list.load));

  page.append(h('h2', {}, 'Users'), list.box);
  if (canWrite()) page.append(createUserForm(list.show, list.load));
  page.append(
    h('div', { class: 'toolbar' }, list.filterForm, h('label', { class: 'check' }, onlyEnabled, 'Enabled users only')),
    list.table, list.pager);
  firstLoad(page, list.show, list.load);
}

function createUserForm(show, reload) {
  const username = h('input', { testid: 'user-create-username', required: true, placeholder: 'username' });
  const email = h('input', { type: 'email', testid: 'user-create-email', placeholder: 'e-mail' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'user-create-submit', mutates: true }, 'Create user');
  return h('form', {
    class: 'card inline',
    testid: 'user-create-form',
    mutates: true,
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        const body = { username: username.value.trim() };
        if (email.value.trim()) body.email = email.value.trim();
        const { data } = await api('POST', '/superuser/users/', body);
        // The generated password is in this answer only: show it once, never store it.
        show('notice',
          h('p', {}, `User ${data.username} was created. Its password is shown only this once; pass it on now:`),
          h('code', { class: 'secret', testid: 'created-password' }, data.password));
        username.value = '';
        email.value = '';
        await reload();
      }, submit);
    },
  }, h('strong', {}, 'New user'), username, email, submit);
}

function userRows(user, reload, show) {
  const badges = [
    user.super_user && h('span', { class: 'badge' }, 'superuser'),
    user.global_readonly_super_user && h('span', { class: 'badge' }, 'read-only superuser'),
  ];
  // Quay refuses to change or delete a superuser through this API, so no buttons for them.
  const changeable = canWrite() && !user.super_user;
  const editor = h('tr', { class: 'editor', testid: 'user-editor', hidden: true });
  const tr = h('tr', { testid: 'user-row', 'data-name': user.username },
    h('td', { testid: 'user-name' }, user.username),
    h('td', { testid: 'user-email' }, user.email),
    h('td', { testid: 'user-state' }, user.enabled
      ? h('span', { class: 'badge ok' }, 'enabled')
      : h('span', { class: 'badge off' }, 'disabled')),
    h('td', {}, badges),
    h('td', {}, changeable && h('div', { class: 'row-actions' },
      action(user.enabled ? 'Disable' : 'Enable', 'user-toggle', (event) => attempt(show, async () => {
        await api('PUT', `/superuser/users/${enc(user.username)}`, { enabled: !user.enabled });
        show('notice', `${user.username} is now ${user.enabled ? 'disabled' : 'enabled'}.`);
        await reload();
      }, event.currentTarget)),
      action('Edit', 'user-edit', () => {
        editor.hidden = !editor.hidden;
      }),
      action('Delete', 'user-delete', (event) => attempt(show, async () => {
        if (!(await confirmAction(`Delete user ${user.username}? Its repositories go with it; this cannot be undone.`))) return;
        await api('DELETE', `/superuser/users/${enc(user.username)}`);
        show('notice', `${user.username} was deleted.`);
        await reload();
      }, event.currentTarget), 'danger'))));
  if (!changeable) return tr;

  const email = h('input', { type: 'email', value: user.email, testid: 'user-email-input' });
  const password = h('input', { type: 'password', autocomplete: 'new-password', placeholder: 'at least 8 characters, no spaces', testid: 'user-password-input' });
  const change = (field, input, done) => (event) => {
    event.preventDefault();
    attempt(show, async () => {
      await api('PUT', `/superuser/users/${enc(user.username)}`, { [field]: input.value });
      show('notice', done);
      await reload();
    }, event.submitter);
  };
  editor.append(h('td', { colspan: 5 }, h('div', { class: 'row-actions' },
    h('form', { class: 'inline', mutates: true, onsubmit: change('email', email, `The e-mail of ${user.username} was changed.`) },
      h('label', {}, 'E-mail', email),
      h('button', { type: 'submit', testid: 'user-email-save', mutates: true }, 'Save e-mail')),
    h('form', { class: 'inline', mutates: true, onsubmit: change('password', password, `The password of ${user.username} was changed; its sessions were ended.`) },
      h('label', {}, 'New password', password),
      h('button', { type: 'submit', testid: 'user-password-save', mutates: true }, 'Set password')))));
  return [tr, editor];
}

// ----- Organizations -------------------------------------------------------------------------

function renderOrganizations(page) {
  const list = pagedList(page, {
    path: '/superuser/organizations/',
    key: 'organizations',
    noun: 'organizations',
    pageSize: 50,
    extraQuery: () => ({}),
    header: ['Name', 'E-mail', 'Used', ''],
    row: organizationRows,
  });
  page.append(h('h2', {}, 'Organizations'), list.box,
    h('div', { class: 'toolbar' }, list.filterForm), list.table, list.pager);
  firstLoad(page, list.show, list.load);
}

function organizationRows(org, reload, show) {
  const editor = h('tr', { class: 'editor', testid: 'org-editor', hidden: true });
  const tr = h('tr', { testid: 'org-row', 'data-name': org.name },
    h('td', { testid: 'org-name' }, org.name),
    h('td', {}, org.email),
    h('td', { class: 'num' }, org.quota_report ? bytes(org.quota_report.quota_bytes) : '—'),
    h('td', {}, canWrite() && h('div', { class: 'row-actions' },
      action('Rename', 'org-rename', () => {
        editor.hidden = !editor.hidden;
      }),
      action('Delete', 'org-delete', (event) => attempt(show, async () => {
        if (!(await confirmAction(`Delete organization ${org.name}? Its repositories and teams go with it; this cannot be undone.`))) return;
        await api('DELETE', `/superuser/organizations/${enc(org.name)}`);
        show('notice', `${org.name} was deleted.`);
        await reload();
      }, event.currentTarget), 'danger'))));
  if (!canWrite()) return tr;

  const name = h('input', { value: org.name, testid: 'org-rename-input', required: true });
  editor.append(h('td', { colspan: 4 }, h('form', {
    class: 'inline',
    mutates: true,
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        const { data } = await api('PUT', `/superuser/organizations/${enc(org.name)}`, { name: name.value.trim() });
        show('notice', `${org.name} is now called ${data.name}.`);
        await reload();
      }, event.submitter);
    },
  }, h('label', {}, 'New name', name), h('button', { type: 'submit', testid: 'org-rename-save', mutates: true }, 'Rename'))));
  return [tr, editor];
}

// ----- Usage logs ----------------------------------------------------------------------------

const MAX_AGGREGATE_DAYS = 31; // the aggregate endpoint refuses longer windows

function renderLogs(page) {
  const { box, show } = messages();
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  // Days are UTC days: the endpoints read MM/DD/YYYY as UTC midnight.
  const start = h('input', { type: 'date', testid: 'logs-start', value: isoDay(weekAgo), required: true });
  const end = h('input', { type: 'date', testid: 'logs-end', value: isoDay(today), required: true });
  const chart = h('div', { testid: 'logs-chart-box' });
  const body = h('tbody', {});
  const older = h('button', { type: 'button', testid: 'logs-next', disabled: true }, 'Older entries →');
  const newest = h('button', { type: 'button', testid: 'logs-first', disabled: true }, '⟵ Newest');

  const range = () => {
    if (!start.value || !end.value) throw new Error('Pick both a start and an end date.');
    const days = (Date.parse(end.value) - Date.parse(start.value)) / 86400000 + 1;
    if (days < 1) throw new Error('The start date must not be after the end date.');
    if (days > MAX_AGGREGATE_DAYS) throw new Error(`Pick at most ${MAX_AGGREGATE_DAYS} days.`);
    return `starttime=${enc(quayDate(start.value))}&endtime=${enc(quayDate(end.value))}`;
  };

  async function loadEntries(token) {
    const query = range() + (token ? `&next_page=${enc(token)}` : '');
    const data = await get(`/superuser/logs?${query}`);
    if (!page.isConnected) return;
    if (data.search_unavailable) show('error', data.message || 'Log search is not available on this registry.');
    body.replaceChildren(...data.logs.map(logRow));
    if (data.logs.length === 0) body.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No entries.')));
    older.disabled = !data.next_page;
    older.onclick = () => attempt(show, () => loadEntries(data.next_page), older);
    newest.disabled = !token;
  }

  async function load() {
    show.clear();
    const query = range();
    const [aggregate] = await Promise.all([get(`/superuser/aggregatelogs?${query}`), loadEntries(null)]);
    if (!page.isConnected) return;
    chart.replaceChildren(logsChart(aggregate.aggregated || [], start.value, end.value));
  }
  newest.onclick = () => attempt(show, () => loadEntries(null), newest);

  const form = h('form', {
    class: 'inline',
    testid: 'logs-range',
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, load, event.submitter);
    },
  }, h('label', {}, 'From', start), h('label', {}, 'To (inclusive)', end),
  h('button', { type: 'submit', testid: 'logs-apply' }, 'Show'));

  page.append(h('h2', {}, 'Usage logs'), box, form,
    h('div', { class: 'card' }, h('h2', {}, 'Actions per day'), chart),
    h('table', { testid: 'logs-table' },
      h('thead', {}, h('tr', {}, ['When', 'Action', 'By', 'Namespace', 'IP', 'Details'].map((t) => h('th', {}, t)))),
      body),
    h('div', { class: 'toolbar' }, newest, older));
  firstLoad(page, show, load);
}

function logRow(entry) {
  const metadata = JSON.stringify(entry.metadata || {});
  return h('tr', { testid: 'log-row' },
    h('td', {}, when(entry.datetime)),
    h('td', { testid: 'log-kind' }, entry.kind),
    h('td', {}, entry.performer ? entry.performer.name : '—'),
    h('td', {}, entry.namespace ? entry.namespace.name : '—'),
    h('td', {}, entry.ip || '—'),
    h('td', { class: 'meta mono' }, metadata.length > 160 ? `${metadata.slice(0, 160)}…` : metadata));
}

// Bars of actions per UTC day, as inline SVG: one bar per day that has entries, with the count
// per kind in its tooltip.
function logsChart(aggregated, startIso, endIso) {
  const days = [];
  for (let t = Date.parse(startIso); t <= Date.parse(endIso); t += 86400000) days.push(isoDay(new Date(t)));
  const perDay = new Map(days.map((d) => [d, { total: 0, kinds: [] }]));
  for (const item of aggregated) {
    const day = perDay.get(isoDay(new Date(item.datetime)));
    if (!day) continue;
    day.total += item.count;
    day.kinds.push(`${item.kind}: ${item.count}`);
  }
  const max = Math.max(0, ...[...perDay.values()].map((d) => d.total));
  if (max === 0) return h('p', { class: 'muted', testid: 'logs-chart-empty' }, 'No actions in this range.');

  const [width, height, left, bottom, top] = [760, 220, 40, 24, 12];
  const slot = (width - left) / days.length;
  const plot = height - bottom - top;
  const labelEvery = Math.ceil(days.length / 12); // keep the axis legible for long ranges
  const parts = [
    svg('line', { class: 'axis', x1: left, y1: top + plot, x2: width, y2: top + plot }),
    svg('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, String(max)),
    svg('text', { x: left - 6, y: top + plot, 'text-anchor': 'end' }, '0'),
  ];
  days.forEach((day, i) => {
    const { total, kinds } = perDay.get(day);
    const x = left + i * slot;
    if (total > 0) {
      const barHeight = Math.max(1, (total / max) * plot);
      parts.push(svg('rect', {
        class: 'bar',
        testid: 'logs-chart-bar',
        'data-day': day,
        'data-count': total,
        x: (x + slot * 0.15).toFixed(1),
        y: (top + plot - barHeight).toFixed(1),
        width: (slot * 0.7).toFixed(1),
        height: barHeight.toFixed(1),
      }, svg('title', {}, `${day}: ${total} actions\n${kinds.join('\n')}`)));
    }
    if (i % labelEvery === 0) {
      parts.push(svg('text', { x: (x + slot / 2).toFixed(1), y: height - 6, 'text-anchor': 'middle' }, day.slice(5)));
    }
  });
  return svg('svg', {
    class: 'chart',
    testid: 'logs-chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'Actions per day',
  }, parts);
}

// ----- Registry size -------------------------------------------------------------------------

function renderRegistrySize(page) {
  const { box, show } = messages();
  const facts = h('dl', { class: 'facts', testid: 'registry-facts' });
  let polls = 0;

  async function load({ quiet = false } = {}) {
    const data = await get('/superuser/registrysize/', { reauth: !quiet });
    if (!page.isConnected) return;
    const status = data.running ? 'running' : data.queued ? 'queued' : 'idle';
    facts.replaceChildren(
      h('dt', {}, 'Size'), h('dd', {}, h('span', { class: 'big', testid: 'registry-size-value' }, bytes(data.size_bytes)),
        ' ', h('span', { class: 'muted', testid: 'registry-size-bytes' }, `(${data.size_bytes} bytes)`)),
      h('dt', {}, 'Last calculated'), h('dd', { testid: 'registry-last-ran' }, data.last_ran ? when(data.last_ran) : 'never'),
      h('dt', {}, 'Calculation'), h('dd', {}, h('span', { class: `badge ${status === 'idle' ? '' : 'warn'}`, testid: 'registry-status' }, status)));
    // While a calculation is pending, look again now and then (two minutes at most).
    if (status !== 'idle' && polls < 24) {
      polls += 1;
      setTimeout(() => page.isConnected && load({ quiet: true }).catch(() => {}), 5000);
    }
  }

  const buttons = h('div', { class: 'toolbar' },
    canWrite() && action('Recalculate now', 'registry-recalculate', (event) => attempt(show, async () => {
      // 201: queued now; 202: one was already queued or running (superuser-api.md §8.2).
      const { status } = await api('POST', '/superuser/registrysize/');
      show('notice', status === 201
        ? 'A recalculation was queued; the size updates when it has run.'
        : 'A recalculation is already queued or running.');
      polls = 0;
      await load();
    }, event.currentTarget), 'primary'),
    h('button', { type: 'button', testid: 'registry-refresh', onclick: (event) => attempt(show, load, event.currentTarget) }, 'Refresh'));

  page.append(h('h2', {}, 'Registry size'), box,
    h('div', { class: 'card' }, facts,
      h('p', { class: 'muted' }, 'The size counts every stored blob once, at the last calculation.')),
    buttons);
  firstLoad(page, show, load);
}

// ----- Service keys --------------------------------------------------------------------------

// An <input type=date> value as epoch seconds at the end of that (local) day.
function endOfDaySeconds(isoDate) {
  const [y, m, d] = isoDate.split('-').map(Number);
  return Math.floor(new Date(y, m - 1, d, 23, 59, 59).getTime() / 1000);
}

function renderServiceKeys(page) {
  const { box, show } = messages();
  const body = h('tbody', {});

  async function load() {
    const data = await get('/superuser/keys');
    if (!page.isConnected) return;
    const keys = data.keys.slice().sort((a, b) => Date.parse(b.created_date) - Date.parse(a.created_date));
    body.replaceChildren(...keys.flatMap((key) => keyRows(key, load, show)));
    if (keys.length === 0) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No service keys.')));
  }

  page.append(h('h2', {}, 'Service keys'), box);
  if (canWrite()) page.append(createKeyForm(show, load));
  page.append(h('table', { testid: 'keys-table' },
    h('thead', {}, h('tr', {}, ['Name', 'Service', 'Key ID', 'Created', 'Expires', 'Approval', ''].map((t) => h('th', {}, t)))),
    body));
  firstLoad(page, show, load);
}

function createKeyForm(show, reload) {
  const service = h('input', { testid: 'key-service', required: true, pattern: '[a-z0-9_]+', placeholder: 'service (a-z, 0-9, _)' });
  const name = h('input', { testid: 'key-name', placeholder: 'friendly name' });
  const expiration = h('input', { type: 'date', testid: 'key-expiration', title: 'Leave empty for a key that never expires' });
  const notes = h('input', { testid: 'key-notes', placeholder: 'approval notes' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'key-create-submit', mutates: true }, 'Create key');
  return h('form', {
    class: 'card inline',
    testid: 'key-create-form',
    mutates: true,
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        // `expiration` must be present; null means the key never expires.
        const body = {
          service: service.value.trim(),
          expiration: expiration.value ? endOfDaySeconds(expiration.value) : null,
        };
        if (name.value.trim()) body.name = name.value.trim();
        if (notes.value.trim()) body.notes = notes.value.trim();
        const { data } = await api('POST', '/superuser/keys', body);
        // The private key is never stored by the registry: this is the only chance to copy it.
        show('notice',
          h('p', {}, `Key ${data.kid} was created and approved. Its private key is shown only this once; save it now:`),
          h('textarea', { class: 'secret mono', readonly: true, testid: 'key-private' }, data.private_key));
        service.value = name.value = expiration.value = notes.value = '';
        await reload();
      }, submit);
    },
  }, h('strong', {}, 'New key'), service, name, h('label', {}, 'Expires (empty: never)', expiration), notes, submit);
}

function approvalText(approval) {
  if (!approval) return h('span', { class: 'badge warn' }, 'not approved');
  const how = {
    'ServiceKeyApprovalType.SUPERUSER': 'by a superuser',
    'ServiceKeyApprovalType.KEY_ROTATION': 'by key rotation',
    'ServiceKeyApprovalType.AUTOMATIC': 'automatically',
  }[approval.approval_type] || approval.approval_type;
  const by = approval.approver ? ` (${approval.approver.username})` : '';
  return [h('span', { class: 'badge ok' }, 'approved'), ` ${how}${by}, ${when(approval.approved_date)}`];
}

function keyRows(key, reload, show) {
  const path = `/superuser/keys/${enc(key.kid)}`;
  const editor = h('tr', { class: 'editor', testid: 'key-editor', hidden: true });
  const tr = h('tr', { testid: 'key-row', 'data-kid': key.kid, 'data-name': key.name },
    h('td', { testid: 'key-name-cell' }, key.name || '—'),
    h('td', {}, key.service),
    h('td', { class: 'mono', title: key.kid }, `${key.kid.slice(0, 12)}…`),
    h('td', {}, when(key.created_date)),
    h('td', { testid: 'key-expires' }, key.expiration_date ? when(key.expiration_date) : 'never'),
    h('td', { testid: 'key-approval' }, approvalText(key.approval)),
    h('td', {}, canWrite() && h('div', { class: 'row-actions' },
      !key.approval && action('Approve', 'key-approve', (event) => attempt(show, async () => {
        await api('POST', `/superuser/approvedkeys/${enc(key.kid)}`, {});
        show('notice', `Key ${key.name || key.kid} was approved.`);
        await reload();
      }, event.currentTarget), 'primary'),
      action('Change expiry', 'key-expiry-edit', () => {
        editor.hidden = !editor.hidden;
      }),
      action('Delete', 'key-delete', (event) => attempt(show, async () => {
        if (!(await confirmAction(`Delete service key ${key.name || key.kid}? Tokens it signed stop working.`))) return;
        await api('DELETE', path);
        show('notice', `Key ${key.name || key.kid} was deleted.`);
        await reload();
      }, event.currentTarget), 'danger'))));
  if (!canWrite()) return tr;

  const date = h('input', { type: 'date', testid: 'key-expiry-input', required: true });
  const setExpiry = (expiration, button) => attempt(show, async () => {
    await api('PUT', path, { expiration });
    show('notice', expiration === null
      ? `Key ${key.name || key.kid} now never expires.`
      : `Key ${key.name || key.kid} now expires ${when(expiration * 1000)}.`);
    await reload();
  }, button);
  editor.append(h('td', { colspan: 7 }, h('form', {
    class: 'inline',
    mutates: true,
    onsubmit: (event) => {
      event.preventDefault();
      setExpiry(endOfDaySeconds(date.value), event.submitter);
    },
  }, h('label', {}, 'Expires at the end of', date),
  h('button', { type: 'submit', testid: 'key-expiry-save', mutates: true }, 'Save'),
  action('Never expire', 'key-expiry-never', (event) => setExpiry(null, event.currentTarget)))));
  return [tr, editor];
}

// ----- Quotas --------------------------------------------------------------------------------

// A size as the quota endpoints take it: digits are bytes (`limit_bytes`); anything else, such
// as "10 GiB", goes as `limit` and the registry checks it.
function quotaBody(text) {
  const value = text.trim().replace(/\s+/g, ' ');
  if (!value) throw new Error('Enter a size, such as 10 GiB or 500000000.');
  return /^\d+$/.test(value) ? { limit_bytes: Number(value) } : { limit: value };
}

function renderQuotas(page) {
  const { box, show } = messages();
  const body = h('tbody', {});
  const note = h('p', { class: 'muted', testid: 'quotas-info' });
  // Namespace name -> 'users' or 'organization', the two (interchangeable) route prefixes.
  const kinds = new Map();

  async function load() {
    const [users, orgs] = await Promise.all([
      listAll('/superuser/users/', 'users', 10),
      listAll('/superuser/organizations/', 'organizations', 10),
    ]);
    if (!page.isConnected) return;
    const all = [
      ...users.items.map((u) => ({ ...u, name: u.username, kind: 'users' })),
      ...orgs.items.map((o) => ({ ...o, kind: 'organization' })),
    ];
    // The views carry `quotas` only with FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA.
    if (!all.some((ns) => Array.isArray(ns.quotas))) {
      body.replaceChildren();
      form.hidden = true;
      note.textContent = 'Quota management is off on this registry (FEATURE_QUOTA_MANAGEMENT).';
      return;
    }
    all.forEach((ns) => kinds.set(ns.name, ns.kind));
    const limited = all.filter((ns) => ns.quotas && ns.quotas.length > 0);
    body.replaceChildren(...limited.flatMap((ns) => quotaRows(ns, load, show)));
    if (limited.length === 0) body.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No namespace has a quota.')));
    note.textContent = users.complete && orgs.complete ? ''
      : 'Only the first 1000 users and organizations were looked at.';
  }

  const namespace = h('input', { testid: 'quota-namespace', required: true, placeholder: 'user or organization' });
  const size = h('input', { testid: 'quota-limit', required: true, placeholder: 'e.g. 10 GiB' });
  const form = h('form', {
    class: 'card inline',
    testid: 'quota-create-form',
    mutates: true,
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        const name = namespace.value.trim();
        const kind = kinds.get(name) || 'users';
        await api('POST', `/superuser/${kind}/${enc(name)}/quota`, quotaBody(size.value));
        show('notice', `${name} now has a quota of ${size.value.trim()}.`);
        namespace.value = size.value = '';
        await load();
      }, event.submitter);
    },
  }, h('strong', {}, 'Set a quota'), namespace, size,
  h('button', { type: 'submit', class: 'primary', testid: 'quota-create-submit', mutates: true }, 'Create quota'));

  page.append(h('h2', {}, 'Quotas'), box, note);
  if (canWrite()) page.append(form);
  page.append(h('table', { testid: 'quotas-table' },
    h('thead', {}, h('tr', {}, ['Namespace', 'Kind', 'Used', 'Limit', 'Limits', ''].map((t) => h('th', {}, t)))),
    body));
  firstLoad(page, show, load);
}

function quotaRows(ns, reload, show) {
  const quota = ns.quotas[0]; // Quay keeps one quota per namespace
  const path = `/superuser/${ns.kind}/${enc(ns.name)}/quota/${quota.id}`;
  const used = ns.quota_report ? ns.quota_report.quota_bytes : null;
  const percent = used !== null && quota.limit_bytes ? ` (${Math.round((used / quota.limit_bytes) * 100)}%)` : '';
  const editor = h('tr', { class: 'editor', testid: 'quota-editor', hidden: true });
  const tr = h('tr', { testid: 'quota-row', 'data-name': ns.name },
    h('td', {}, ns.name),
    h('td', {}, ns.kind === 'users' ? 'user' : 'organization'),
    h('td', { class: 'num' }, `${bytes(used)}${percent}`),
    h('td', { class: 'num', testid: 'quota-limit-cell' }, bytes(quota.limit_bytes)),
    h('td', {}, quota.limits.length
      ? quota.limits.map((l) => h('span', { class: 'badge' }, `${l.type} at ${l.limit_percent}%`))
      : h('span', { class: 'muted', title: 'A quota without a Reject limit is reported, not enforced.' }, 'none')),
    h('td', {}, canWrite() && h('div', { class: 'row-actions' },
      action('Change', 'quota-edit', () => {
        editor.hidden = !editor.hidden;
      }),
      action('Delete', 'quota-delete', (event) => attempt(show, async () => {
        if (!(await confirmAction(`Remove the quota of ${ns.name}?`, 'Remove'))) return;
        await api('DELETE', path);
        show('notice', `The quota of ${ns.name} was removed.`);
        await reload();
      }, event.currentTarget), 'danger'))));
  if (!canWrite()) return tr;

  const size = h('input', { testid: 'quota-edit-input', value: String(quota.limit_bytes), required: true });
  editor.append(h('td', { colspan: 6 }, h('form', {
    class: 'inline',
    mutates: true,
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        const { data } = await api('PUT', path, quotaBody(size.value));
        show('notice', `The quota of ${ns.name} is now ${bytes(data.limit_bytes)}.`);
        await reload();
      }, event.submitter);
    },
  }, h('label', {}, 'New limit (bytes, or e.g. 20 GiB)', size),
  h('button', { type: 'submit', testid: 'quota-edit-save', mutates: true }, 'Save'))));
  return [tr, editor];
}

// ----- Builds --------------------------------------------------------------------------------

function renderBuilds(page) {
  const { box, show } = messages();
  const uuid = h('input', { testid: 'build-uuid', required: true, placeholder: 'build UUID', size: 40 });
  const result = h('div', { testid: 'build-result' });

  async function lookup() {
    const id = uuid.value.trim();
    show.clear();
    // Keep the UUID in the address, so the page can be shared or reloaded.
    history.replaceState(null, '', `/superuser?tab=builds&uuid=${enc(id)}`);
    // The build first: an unknown UUID is a 404 there (the log endpoint answers 400).
    const build = await get(`/superuser/${enc(id)}/build`);
    const logs = await get(`/superuser/${enc(id)}/logs`);
    if (!page.isConnected) return;
    result.replaceChildren(buildDetails(build), buildLog(logs),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', testid: 'build-refresh', onclick: (event) => attempt(show, lookup, event.currentTarget) }, 'Refresh')));
  }

  const form = h('form', {
    class: 'inline',
    onsubmit: (event) => {
      event.preventDefault();
      attempt(show, async () => {
        result.replaceChildren();
        try {
          await lookup();
        } catch (err) {
          // Quay answers 404 on /build for an unknown UUID.
          if (err.status === 404) throw new Error(`There is no build ${uuid.value.trim()}.`);
          throw err;
        }
      }, event.submitter);
    },
  }, uuid, h('button', { type: 'submit', class: 'primary', testid: 'build-lookup' }, 'Look up'));

  page.append(h('h2', {}, 'Builds'), box, form, result);
  const wanted = new URLSearchParams(location.search).get('uuid');
  if (wanted) {
    uuid.value = wanted;
    firstLoad(page, show, lookup);
  } else {
    page.setAttribute('data-loaded', '');
  }
}

function buildDetails(build) {
  const terminal = ['complete', 'error', 'internalerror', 'cancelled', 'expired'].includes(build.phase);
  const badge = build.phase === 'complete' ? 'ok' : terminal ? 'off' : 'warn';
  const fact = (label, value, testid) => [h('dt', {}, label), h('dd', { testid }, value ?? '—')];
  return h('div', { class: 'card' }, h('dl', { class: 'facts', testid: 'build-facts' },
    fact('Phase', h('span', { class: `badge ${badge}`, testid: 'build-phase' }, build.phase)),
    fact('Name', build.display_name),
    fact('Repository', build.repository ? `${build.repository.namespace}/${build.repository.name}` : null, 'build-repository'),
    fact('Started', when(build.started)),
    fact('Tags', (build.tags || []).join(', ') || null),
    fact('Requested by', build.manual_user),
    fact('Trigger', build.trigger ? `${build.trigger.service} (${build.trigger.id})` : 'none (started by hand)'),
    build.error && fact('Error', h('span', { class: 'error' }, build.error))));
}

function buildLog(logs) {
  if (typeof logs.logs_url === 'string' && /^(https?:\/\/|\/)/.test(logs.logs_url)) {
    return h('p', {}, 'The log is archived: ', h('a', { href: logs.logs_url, testid: 'build-logs-archive' }, 'download it'), '.');
  }
  if (!logs.logs || logs.logs.length === 0) return h('p', { class: 'muted', testid: 'build-logs-empty' }, 'No log lines yet.');
  const lines = logs.logs.map((line) => {
    const cls = { phase: 'phase', command: 'command', error: 'err' }[line.type] || '';
    const text = line.type === 'phase' ? `── ${line.message} ──` : line.type === 'command' ? `$ ${line.message}` : line.message;
    return h('div', { class: cls, testid: 'build-log-line' }, text);
  });
  return h('pre', { class: 'buildlog', testid: 'build-logs' }, lines);
}

// ---------------------------------------------------------------------------------------------
// Start.

async function boot() {
  window.addEventListener('popstate', render);
  try {
    await fetchCsrf();
    state.user = await loadUser();
    render();
  } catch (err) {
    root.replaceChildren(h('p', { class: 'error', testid: 'boot-error' }, `The panel could not start: ${err.message}`));
  }
}

boot();

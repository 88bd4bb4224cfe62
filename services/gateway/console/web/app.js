// The staff console: log in, then the directory's search as you type. It uses the public API
// only, with the session cookie the login sets (sent by the browser, unreadable here) and the
// CSRF token the login returns (sent back in X-CSRF-Token with every write).
const $ = (id) => document.getElementById(id);
let session = null;

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session && method !== 'GET') headers['X-CSRF-Token'] = session.csrfToken;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || response.statusText);
    error.status = response.status;
    error.reason = data.error && data.error.details &&
        (data.error.details.find((d) => d.reason) || {}).reason;
    throw error;
  }
  return data;
}

function show(loggedIn) {
  $('login-panel').hidden = loggedIn;
  $('directory-panel').hidden = !loggedIn;
  $('logout').hidden = !loggedIn;
  $('who').hidden = !loggedIn;
  if (loggedIn) {
    $('who').textContent = session.displayName || session.email;
    $('search').focus();
  } else {
    $('email').focus();
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    session = await api('POST', '/console/api/login',
                        { email: $('email').value, password: $('password').value });
    $('password').value = '';
    show(true);
  } catch (error) {
    $('login-error').textContent = error.status === 429
        ? 'Trop de tentatives : réessayez dans quelques minutes.'
        : 'Adresse e-mail ou mot de passe incorrect.';
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/console/api/logout'); } catch (error) { /* ended anyway */ }
  session = null;
  $('results').replaceChildren();
  show(false);
});

let searchTimer = 0;
let searchSeq = 0;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, 150);
});

async function search() {
  const query = $('search').value.trim();
  const seq = ++searchSeq;
  if (!query) {
    $('results').replaceChildren();
    $('search-status').textContent = '';
    return;
  }
  try {
    const found = await api('GET',
        `/v1/actors:search?query=${encodeURIComponent(query)}&pageSize=20`);
    if (seq !== searchSeq) return;  // a newer search is on its way
    const results = found.results || [];
    $('search-status').textContent = results.length === 0 ? 'Aucun acteur trouvé.'
        : `${results.length} acteur${results.length > 1 ? 's' : ''} trouvé${results.length > 1 ? 's' : ''}.`;
    $('results').replaceChildren(...results.map(({ actor }) => {
      const item = document.createElement('li');
      const name = document.createElement('div');
      name.className = 'name';
      name.textContent = actor.displayName;
      const place = document.createElement('div');
      place.className = 'place';
      const address = actor.address || {};
      place.textContent = [address.postalCode, address.city].filter(Boolean).join(' ');
      item.append(name, place);
      return item;
    }));
  } catch (error) {
    if (error.status === 401) { session = null; show(false); return; }
    $('search-status').textContent = `La recherche a échoué : ${error.message}`;
  }
}

// A reloaded page keeps its session: the cookie is still there, the CSRF token is asked again.
(async () => {
  try {
    session = await api('GET', '/console/api/session');
    show(true);
  } catch (error) {
    show(false);
  }
})();

// The staff console: log in, the directory's search as you type, the meetings' programme and
// the attendance sheet (one tap checks a participant in, walk-ins added on the spot, the
// waiting list, a printable sign-in sheet). It uses the public API only, with the session
// cookie the login sets (sent by the browser, unreadable here) and the CSRF token the login
// returns (sent back in X-CSRF-Token with every write).
import { api, setSession, session } from './api.js';
import { showActor } from './actor.js';
import { showImport } from './actor_import.js';
import './actor_manage.js';
import { showDirectory } from './directory_filters.js';
import { showBudget, showBudgets } from './budget.js';
import { showMeetings, showSheet } from './meetings.js';

const $ = (id) => document.getElementById(id);
const panels = ['login-panel', 'directory-panel', 'actor-panel', 'meetings-panel', 'sheet-panel',
                'budgets-panel', 'budget-panel', 'import-panel'];

function showPanel(id) {
  for (const panel of panels) $(panel).hidden = panel !== id;
  const loggedIn = id !== 'login-panel';
  $('logout').hidden = !loggedIn;
  $('who').hidden = !loggedIn;
  $('nav').hidden = !loggedIn;
  $('nav-directory').toggleAttribute('aria-current', id === 'directory-panel' ||
                                     id === 'actor-panel' || id === 'import-panel');
  $('nav-meetings').toggleAttribute('aria-current',
                                    id === 'meetings-panel' || id === 'sheet-panel');
  $('nav-budget').toggleAttribute('aria-current', id === 'budgets-panel' || id === 'budget-panel');
  if ($('nav-budget').hasAttribute('aria-current')) $('nav-budget').setAttribute('aria-current', 'page');
  if ($('nav-directory').hasAttribute('aria-current')) {
    $('nav-directory').setAttribute('aria-current', 'page');
  }
  if ($('nav-meetings').hasAttribute('aria-current')) {
    $('nav-meetings').setAttribute('aria-current', 'page');
  }
}

// #annuaire[?filters], #acteur/<id>, #import, #reunions, #reunion/<id>, #budgets,
// #budget/<budget name>
async function route() {
  if (!session()) {
    showPanel('login-panel');
    $('email').focus();
    return;
  }
  $('who').textContent = session().displayName || session().email;
  const hash = location.hash.slice(1);
  try {
    if (hash.startsWith('budget/')) {
      showPanel('budget-panel');
      await showBudget(hash.slice('budget/'.length));
    } else if (hash === 'budgets') {
      showPanel('budgets-panel');
      await showBudgets();
    } else if (hash.startsWith('acteur/')) {
      showPanel('actor-panel');
      await showActor(`actors/${hash.slice('acteur/'.length)}`);
    } else if (hash.startsWith('reunion/')) {
      showPanel('sheet-panel');
      await showSheet(`meetings/${hash.slice('reunion/'.length)}`);
    } else if (hash === 'reunions') {
      showPanel('meetings-panel');
      await showMeetings();
    } else if (hash === 'import') {
      showPanel('import-panel');
      showImport();
    } else {
      showPanel('directory-panel');
      $('search').focus();
      await showDirectory();
    }
  } catch (error) {
    if (error.status === 401) {
      setSession(null);
      route();
    }
  }
}
window.addEventListener('hashchange', route);

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    setSession(await api('POST', '/console/api/login',
                         { email: $('email').value, password: $('password').value }));
    $('password').value = '';
    route();
  } catch (error) {
    $('login-error').textContent = error.status === 429
        ? 'Trop de tentatives : réessayez dans quelques minutes.'
        : 'Adresse e-mail ou mot de passe incorrect.';
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/console/api/logout'); } catch (error) { /* ended anyway */ }
  setSession(null);
  $('results').replaceChildren();
  route();
});

// A reloaded page keeps its session: the cookie is still there, the CSRF token is asked again.
(async () => {
  try {
    setSession(await api('GET', '/console/api/session'));
  } catch (error) {
    setSession(null);
  }
  route();
})();

// The staff console: log in, the directory's search as you type, the meetings' programme and
// the attendance sheet (one tap checks a participant in, walk-ins added on the spot, the
// waiting list, a printable sign-in sheet). It uses the public API only, with the session
// cookie the login sets (sent by the browser, unreadable here) and the CSRF token the login
// returns (sent back in X-CSRF-Token with every write).
import { api, setSession, session } from './api.js';
import { showAccounts } from './accounts.js';
import { showActor } from './actor.js';
import { showImport } from './actor_import.js';
import './actor_manage.js';
import { showDirectory } from './directory_filters.js';
import { showBudget, showBudgets } from './budget.js';
import { showMeetings, showSheet } from './meetings.js';
import { showProgrammeView } from './calendar.js';
import { showIndicatorsPage } from './indicators.js';
import { showRoadmap, showRoadmapItem } from './roadmap.js';

const $ = (id) => document.getElementById(id);
const panels = ['login-panel', 'directory-panel', 'actor-panel', 'meetings-panel', 'sheet-panel',
                'budgets-panel', 'budget-panel', 'accounts-panel', 'roadmap-panel',
                'roadmap-item-panel', 'indicators-panel', 'import-panel'];
const meetingPanels = ['meetings-panel', 'sheet-panel', 'roadmap-panel', 'roadmap-item-panel',
                       'indicators-panel'];

function showPanel(id) {
  for (const panel of panels) $(panel).hidden = panel !== id;
  const loggedIn = id !== 'login-panel';
  $('logout').hidden = !loggedIn;
  $('who').hidden = !loggedIn;
  $('nav').hidden = !loggedIn;
  $('nav-directory').toggleAttribute('aria-current', id === 'directory-panel' ||
                                     id === 'actor-panel' || id === 'import-panel');
  $('nav-meetings').toggleAttribute('aria-current', meetingPanels.includes(id));
  $('nav-budget').toggleAttribute('aria-current', id === 'budgets-panel' || id === 'budget-panel');
  if ($('nav-budget').hasAttribute('aria-current')) $('nav-budget').setAttribute('aria-current', 'page');
  // Staff accounts: an admin's page (the API refuses the other roles anyway).
  $('nav-accounts').hidden = !loggedIn || !session() || session().role !== 'ROLE_ADMIN';
  $('nav-accounts').toggleAttribute('aria-current', id === 'accounts-panel');
  if (id === 'accounts-panel') $('nav-accounts').setAttribute('aria-current', 'page');
  if ($('nav-directory').hasAttribute('aria-current')) {
    $('nav-directory').setAttribute('aria-current', 'page');
  }
  if ($('nav-meetings').hasAttribute('aria-current')) {
    $('nav-meetings').setAttribute('aria-current', 'page');
  }
}

// #annuaire[?filters], #acteur/<id>, #import, #reunions, #calendrier[/YYYY-MM], #reunion/<id>,
// #feuille-de-route[/<item id>], #indicateurs[/<first day>/<last day>], #budgets,
// #budget/<budget name>, #comptes
async function route() {
  if (!session()) {
    showPanel('login-panel');
    $('email').focus();
    return;
  }
  $('who').textContent = session().displayName || session().email;
  const hash = location.hash.slice(1);
  try {
    if (hash === 'comptes' && session().role === 'ROLE_ADMIN') {
      showPanel('accounts-panel');
      await showAccounts();
    } else if (hash.startsWith('budget/')) {
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
    } else if (hash === 'reunions' || hash === 'calendrier' || hash.startsWith('calendrier/')) {
      showPanel('meetings-panel');
      await showMeetings();
      await showProgrammeView();
    } else if (hash.startsWith('feuille-de-route/')) {
      showPanel('roadmap-item-panel');
      await showRoadmapItem(`roadmapItems/${hash.slice('feuille-de-route/'.length)}`);
    } else if (hash === 'feuille-de-route') {
      showPanel('roadmap-panel');
      await showRoadmap();
    } else if (hash === 'indicateurs' || hash.startsWith('indicateurs/')) {
      showPanel('indicators-panel');
      await showIndicatorsPage(hash);
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

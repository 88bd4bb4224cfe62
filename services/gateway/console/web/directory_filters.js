// The directory page: search as you type combined with filters (network category, commune,
// ESS family, labels, archived fiches), the count of what matches, the list or the map. The
// page's state lives in the URL hash (#annuaire?q=...&categorie=...), so that a reload or a
// shared link shows the same page. Filters are written in the list API's filter grammar
// (ListActorsRequest.filter): `network_category:"iae" AND commune = "21231" AND ...`.
import { api, element } from './api.js';
import { preloadMap, showActorsOnMap } from './map.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const LABELS = [
  ['ESUS', 'Agrément ESUS'], ['SIAE', 'SIAE (tous types)'],
  ['SIAE_ACI', 'Atelier et chantier d\'insertion (ACI)'],
  ['SIAE_AI', 'Association intermédiaire (AI)'], ['SIAE_EI', 'Entreprise d\'insertion (EI)'],
  ['SIAE_ETTI', 'Entreprise de travail temporaire d\'insertion (ETTI)'],
];
const count = new Intl.NumberFormat('fr-FR');

let communeNames = new Map();
let timer = 0;
let sequence = 0;
let nextPage = '';
let view = 'list';

// The page's state from the hash: {q, categorie, commune, famille, labels[], archives, vue}.
export function stateFromHash(hash = location.hash) {
  const query = hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '';
  const params = new URLSearchParams(query);
  return {
    q: params.get('q') || '', categorie: params.get('categorie') || '',
    commune: params.get('commune') || '', famille: params.get('famille') || '',
    labels: (params.get('labels') || '').split(',').filter(Boolean),
    archives: params.get('archives') === '1', vue: params.get('vue') === 'carte' ? 'carte' : '',
  };
}

function stateFromForm() {
  return {
    q: $('search').value.trim(), categorie: $('filter-category').value,
    commune: $('filter-commune').value, famille: $('filter-family').value,
    labels: [...$('filter-labels').querySelectorAll('input:checked')].map((e) => e.value),
    archives: $('filter-archived').checked, vue: view === 'map' ? 'carte' : '',
  };
}

function hashOf(state) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.categorie) params.set('categorie', state.categorie);
  if (state.commune) params.set('commune', state.commune);
  if (state.famille) params.set('famille', state.famille);
  if (state.labels.length) params.set('labels', state.labels.join(','));
  if (state.archives) params.set('archives', '1');
  if (state.vue) params.set('vue', state.vue);
  const text = params.toString();
  return text ? `#annuaire?${text}` : '#annuaire';
}

// The filter of the list API for these choices ('' for none).
export function filterOf(state) {
  const quote = (value) => `"${value.replace(/["\\]/g, '\\$&')}"`;
  const terms = [];
  if (state.categorie) terms.push(`network_category:${quote(state.categorie)}`);
  if (state.commune) terms.push(`commune = ${quote(state.commune)}`);
  if (state.famille) terms.push(`ess_family = ${state.famille}`);
  for (const label of state.labels) terms.push(`label:${label}`);
  if (state.archives) terms.push('(state = ACTIVE OR state = ARCHIVED)');
  return terms.join(' AND ');
}

// Read and drawn once, even when two routes ask at the same time (the page's first route and a
// hash change): both wait for the same promise, so the lists are not appended twice.
let referencesLoading = null;
function loadReferences() {
  if (!referencesLoading) {
    referencesLoading = readReferences().catch((error) => {
      referencesLoading = null;  // asked again next time
      throw error;
    });
  }
  return referencesLoading;
}

async function readReferences() {
  const [categories, communes, families] = await Promise.all([
    api('GET', '/v1/networkCategories?pageSize=1000'),
    api('GET', '/v1/communes?pageSize=1000'),
    api('GET', '/v1/essFamilies'),
  ]);
  const option = (value, text) => element('option', { value, text });
  $('filter-category').append(...(categories.networkCategories || [])
      .map((c) => option(c.code, c.displayName)));
  const byName = [...(communes.communes || [])]
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
  communeNames = new Map(byName.map((c) => [c.inseeCode, c.displayName]));
  $('filter-commune').append(...byName.map((c) => option(c.inseeCode, c.displayName)));
  $('filter-family').append(...(families.essFamilies || [])
      .map((f) => option(f.family.replace('ESS_FAMILY_', ''), f.displayName)));
  $('filter-labels').append(...LABELS.map(([value, text]) => element('label', { class: 'inline' },
      element('input', { type: 'checkbox', value, id: `label-${value}` }), ` ${text}`)));
}

function applyToForm(state) {
  $('search').value = state.q;
  $('filter-category').value = state.categorie;
  $('filter-commune').value = state.commune;
  $('filter-family').value = state.famille;
  for (const box of $('filter-labels').querySelectorAll('input')) {
    box.checked = state.labels.includes(box.value);
  }
  $('filter-archived').checked = state.archives;
  setView(state.vue === 'carte' ? 'map' : 'list');
}

function setView(which) {
  view = which;
  $('directory-view-list').setAttribute('aria-pressed', String(which === 'list'));
  $('directory-view-map').setAttribute('aria-pressed', String(which === 'map'));
  $('map-view').hidden = which !== 'map';
  $('results').hidden = which !== 'list';
}

function place(actor) {
  const address = actor.address || {};
  const city = address.city || communeNames.get(address.communeInseeCode) || '';
  return [address.postalCode, city].filter(Boolean).join(' ');
}

function item(actor) {
  const name = element('a', { class: 'name', href: `#acteur/${actor.name.split('/')[1]}`,
                              text: actor.displayName });
  const details = [place(actor)];
  if (actor.state === 'ACTOR_STATE_ARCHIVED') details.push('fiche archivée');
  return element('li', {}, name, element('div', { class: 'place', text:
      details.filter(Boolean).join(' · ') }));
}

function plural(n, word) { return `${count.format(n)} ${word}${n > 1 ? 's' : ''}`; }

// Reads the page of actors for the form's state, and the map when it is shown.
async function refresh(append = false) {
  const state = stateFromForm();
  history.replaceState(null, '', hashOf(state));
  const seq = ++sequence;
  const filter = filterOf(state);
  const filterParam = filter ? `&filter=${encodeURIComponent(filter)}` : '';
  const token = append && nextPage ? `&pageToken=${encodeURIComponent(nextPage)}` : '';
  let actors;
  let status;
  let shown = append ? $('results').children.length : 0;
  try {
    if (state.q) {
      const found = await api('GET', `/v1/actors:search?query=${encodeURIComponent(state.q)}` +
                                     `&pageSize=${PAGE}${filterParam}${token}`);
      if (seq !== sequence) return;  // a newer request is on its way
      actors = (found.results || []).map((r) => r.actor);
      nextPage = found.nextPageToken || '';
      shown += actors.length;
      status = shown === 0 ? 'Aucun acteur trouvé.'
          : nextPage ? `Plus de ${plural(shown, 'acteur')} trouvés, les plus pertinents d'abord.`
          : `${plural(shown, 'acteur')} trouvé${shown > 1 ? 's' : ''}.`;
    } else {
      const listed = await api('GET', `/v1/actors?pageSize=${PAGE}${filterParam}${token}`);
      if (seq !== sequence) return;
      actors = listed.actors || [];
      nextPage = listed.nextPageToken || '';
      shown += actors.length;
      const total = Number(listed.totalSize || 0);
      status = total === 0 ? 'Aucun acteur ne correspond.'
          : `${plural(total, 'acteur')}${filter ? ' correspondant aux filtres' : ' dans l\'annuaire'}` +
            (total > shown ? `, ${count.format(shown)} affichés.` : '.');
    }
  } catch (error) {
    if (seq !== sequence) return;
    if (error.status === 401) throw error;
    $('search-status').textContent = `La recherche a échoué : ${error.message}`;
    return;
  }
  const items = actors.map(item);
  if (append) $('results').append(...items); else $('results').replaceChildren(...items);
  $('more-results').hidden = !nextPage || view !== 'list';
  $('search-status').textContent = status;
  $('results').dataset.shown = hashOf(state);  // what the list shows (the scenarios wait on it)
  searchedActors = state.q ? [...(append ? searchedActors || [] : []), ...actors] : null;
  if (view === 'map') await showMap(state, filter, searchedActors);
  else preloadMap();  // Leaflet's files, fetched once while the person reads the list
}

let searchedActors = null;  // the search's actors of the list shown, for the map
async function showMap(state, filter, searched) {
  await showActorsOnMap({ filter, searched, status: $('map-status'), container: $('map') });
}

// Shows the directory page with the state of the hash.
export async function showDirectory() {
  delete $('results').dataset.shown;
  // The words first, at once: what the person types while the lists load is kept.
  const state = stateFromHash();
  $('search').value = state.q;
  await loadReferences();
  applyToForm({ ...state, q: $('search').value });
  await refresh();
}

function soon() {
  clearTimeout(timer);
  // Short: the request itself is the interaction's cost (a newer one makes older answers void).
  timer = setTimeout(() => refresh().catch(signedOut), 60);
}
function now() { clearTimeout(timer); refresh().catch(signedOut); }
function signedOut(error) {
  if (error.status === 401) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

$('search').addEventListener('input', soon);
$('filters').addEventListener('change', now);
$('filters').addEventListener('submit', (event) => { event.preventDefault(); now(); });
$('filters-clear').addEventListener('click', () => {
  applyToForm({ ...stateFromHash('#annuaire'), q: $('search').value.trim(),
                vue: view === 'map' ? 'carte' : '' });
  now();
});
$('more-results').addEventListener('click', () => refresh(true).catch(signedOut));
$('directory-view-list').addEventListener('click', () => {
  setView('list');
  history.replaceState(null, '', hashOf(stateFromForm()));
  $('more-results').hidden = !nextPage;
});
$('directory-view-map').addEventListener('click', () => {
  // The list already read stays: only the map is drawn.
  setView('map');
  const state = stateFromForm();
  history.replaceState(null, '', hashOf(state));
  showMap(state, filterOf(state), state.q ? searchedActors : null).catch(signedOut);
});

// The roadmap (feuille de route) that the meetings' proposals feed: on a closed meeting's sheet
// its proposals move through their states (under study, retained, integrated in a roadmap item
// made for it or already there, or rejected); the roadmap page lists an action's items by state
// with their progress; an item's page records progress (with a note, kept in its history) and
// shows where the item came from. Public API only: ListOutputs, TransitionProposal,
// CreateRoadmapItem, ListRoadmapItems, GetRoadmapItem, RecordRoadmapProgress.
import { api, element, frenchDateTime } from './api.js';

const $ = (id) => document.getElementById(id);
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 });

export const ITEM_STATES = {
  ROADMAP_ITEM_STATE_PLANNED: 'Prévu',
  ROADMAP_ITEM_STATE_IN_PROGRESS: 'En cours',
  ROADMAP_ITEM_STATE_DONE: 'Réalisé',
  ROADMAP_ITEM_STATE_ABANDONED: 'Abandonné',
};
const ITEM_STATE_GROUPS = {
  ROADMAP_ITEM_STATE_PLANNED: 'Prévus', ROADMAP_ITEM_STATE_IN_PROGRESS: 'En cours',
  ROADMAP_ITEM_STATE_DONE: 'Réalisés', ROADMAP_ITEM_STATE_ABANDONED: 'Abandonnés',
};
export const PROPOSAL_STATES = {
  PROPOSAL_STATE_SUBMITTED: 'déposée',
  PROPOSAL_STATE_UNDER_STUDY: "à l'étude",
  PROPOSAL_STATE_RETAINED: 'retenue',
  PROPOSAL_STATE_INTEGRATED: 'intégrée à la feuille de route',
  PROPOSAL_STATE_REJECTED: 'rejetée',
};
// The moves a person may make from each state (ProposalState's life cycle), as buttons.
const MOVES = {
  PROPOSAL_STATE_SUBMITTED: [['PROPOSAL_STATE_UNDER_STUDY', "Mettre à l'étude"],
                             ['PROPOSAL_STATE_REJECTED', 'Rejeter']],
  PROPOSAL_STATE_UNDER_STUDY: [['PROPOSAL_STATE_RETAINED', 'Retenir'],
                               ['PROPOSAL_STATE_REJECTED', 'Rejeter']],
  PROPOSAL_STATE_RETAINED: [['PROPOSAL_STATE_INTEGRATED', 'Intégrer à la feuille de route'],
                            ['PROPOSAL_STATE_REJECTED', 'Rejeter']],
};

function idOf(name) { return name.split('/').pop(); }

// Every page of a list call; `field` names the response's repeated field.
async function listAll(path, field) {
  const items = [];
  let token = '';
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await api('GET', `${path}${separator}pageSize=1000${
      token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
    items.push(...(page[field] || []));
    token = page.nextPageToken || '';
  } while (token);
  return items;
}

function roadmapItemsOf(action) {
  return listAll(`/v1/roadmapItems?filter=${encodeURIComponent(`action = "${action}"`)}`,
                 'roadmapItems');
}

// The funded actions, read once, and a <select> of them (the first one chosen by default).
let actionsRead = null;
export async function actionChoice(select, chosen) {
  if (actionsRead === null) actionsRead = listAll('/v1/actions', 'actions');
  const actions = await actionsRead;
  if (select.options.length !== actions.length) {
    select.replaceChildren(...actions.map(
        (a) => element('option', { value: a.name, text: a.title || a.name })));
  }
  if (chosen && actions.some((a) => a.name === chosen)) select.value = chosen;
  return actions.find((a) => a.name === select.value) || null;
}

function progressBar(item, label) {
  const value = item.progress || 0;
  return element('span', { class: 'progress' },
      element('progress', { max: '100', value: String(value), 'aria-label': label }),
      ` ${percent.format(value / 100)}`);
}

// ---------------------------------------------------------------------------------------------
// A closed meeting's proposals.

let meetingShown = null;

function proposalItem(output, items) {
  const proposal = output.proposal;
  const state = proposal.state;
  const text = proposal.title || proposal.text;
  const li = element('li', { 'data-output': output.name, 'data-state': state },
      element('p', { class: 'name', text }),
      element('p', { class: 'place', text: `État : ${PROPOSAL_STATES[state] || ''}` }));
  if (state === 'PROPOSAL_STATE_INTEGRATED' && proposal.roadmapItem) {
    const item = items.find((i) => i.name === proposal.roadmapItem);
    li.append(element('p', {}, 'Dans la feuille de route : ',
        element('a', { href: `#feuille-de-route/${idOf(proposal.roadmapItem)}`,
                       text: item ? item.title : proposal.roadmapItem }),
        item ? element('span', {}, ' · ', progressBar(item, `Avancement de ${item.title}`)) : ''));
  }
  const moves = element('div', { class: 'moves' });
  for (const [to, label] of MOVES[state] || []) {
    const button = element('button', { type: 'button', class: 'secondary', 'data-to': to,
                                       'aria-label': `${label} : ${text}`, text: label });
    button.addEventListener('click', () => (to === 'PROPOSAL_STATE_INTEGRATED'
      ? integrateForm(li, output, items) : move(output, to, '')));
    moves.append(button);
  }
  li.append(moves);
  return li;
}

// The form that integrates a retained proposal: into a new item (its title and axis asked,
// the proposal's text as its description) or into an item of the action already there.
function integrateForm(li, output, items) {
  if (li.querySelector('form')) {
    li.querySelector('form select, form input').focus();
    return;
  }
  const key = idOf(output.name);
  const proposal = output.proposal;
  const open = items.filter((i) => i.state !== 'ROADMAP_ITEM_STATE_ABANDONED');
  const target = element('select', { id: `integrate-target-${key}` },
      element('option', { value: '', text: 'Un nouvel élément' }),
      ...open.map((i) => element('option', { value: i.name, text: i.title })));
  const title = element('input', { id: `integrate-title-${key}`, autocomplete: 'off',
                                   value: (proposal.title || proposal.text).slice(0, 200) });
  const axis = element('input', { id: `integrate-axis-${key}`, autocomplete: 'off' });
  const newItem = element('div', {},
      element('label', { for: `integrate-title-${key}`, text: "Intitulé de l'élément" }), title,
      element('label', { for: `integrate-axis-${key}`, text: 'Axe (facultatif)' }), axis);
  target.addEventListener('change', () => { newItem.hidden = target.value !== ''; });
  const form = element('form', { class: 'integrate' },
      element('label', { for: `integrate-target-${key}`, text: 'Intégrer dans' }), target,
      newItem, element('button', { type: 'submit', text: 'Intégrer' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      let item = target.value;
      if (!item) {
        const made = await api('POST', '/v1/roadmapItems', {
          action: meetingShown.action, title: title.value.trim(), axis: axis.value.trim(),
          description: proposal.text, sourceMeetings: [meetingShown.name],
        });
        item = made.name;
      }
      await move(output, 'PROPOSAL_STATE_INTEGRATED', item);
    } catch (error) {
      $('proposals-status').textContent = `Intégration refusée : ${error.message}`;
    }
  });
  li.append(form);
  title.focus();
}

async function move(output, state, roadmapItem) {
  $('proposals-status').textContent = '';
  try {
    await api('POST', `/v1/${output.name}:transitionProposal`,
              { state, etag: output.etag, ...(roadmapItem ? { roadmapItem } : {}) });
    await showProposals(meetingShown);
    const li = document.querySelector(`#proposals li[data-output="${output.name}"]`);
    $('proposals-status').textContent = `Proposition ${PROPOSAL_STATES[state]}.`;
    const next = li && li.querySelector('button, a');
    if (next) next.focus();
  } catch (error) {
    $('proposals-status').textContent = error.status === 409
        ? "Quelqu'un a changé cette proposition entre-temps : la liste est à jour, recommencez."
        : `Changement refusé : ${error.message}`;
    await showProposals(meetingShown);
  }
}

// The proposals of a closed meeting, with the moves each may make.
export async function showProposals(meeting) {
  meetingShown = meeting;
  const [outputs, items] = await Promise.all([
    listAll(`/v1/${meeting.name}/outputs?filter=${encodeURIComponent('content = proposal')}`,
            'outputs'),
    roadmapItemsOf(meeting.action),
  ]);
  $('proposals').replaceChildren(...(outputs.length === 0
    ? [element('li', { text: 'Aucune proposition.' })]
    : outputs.map((o) => proposalItem(o, items))));
  $('proposals-section').hidden = false;
}

// ---------------------------------------------------------------------------------------------
// The roadmap page: an action's items by state.

export async function showRoadmap() {
  const action = await actionChoice($('roadmap-action'), currentAction);
  if (!action) {
    $('roadmap-summary').textContent = 'Aucune action.';
    return;
  }
  currentAction = action.name;
  const items = await roadmapItemsOf(action.name);
  const open = items.filter((i) => i.state !== 'ROADMAP_ITEM_STATE_ABANDONED');
  const mean = open.length ? open.reduce((sum, i) => sum + (i.progress || 0), 0) / open.length : 0;
  $('roadmap-summary').textContent = items.length === 0 ? 'Aucun élément pour cette action.'
      : `${items.length} élément${items.length > 1 ? 's' : ''}, avancement moyen ${
        percent.format(mean / 100)}.`;
  $('roadmap-states').replaceChildren(...Object.entries(ITEM_STATE_GROUPS).map(([state, label]) => {
    const ofState = items.filter((i) => i.state === state);
    const id = `roadmap-state-${state.slice('ROADMAP_ITEM_STATE_'.length).toLowerCase()}`;
    return element('section', { 'aria-labelledby': id, 'data-state': state },
        element('h2', { id, text: `${label} (${ofState.length})` }),
        ofState.length === 0 ? element('p', { class: 'status', text: 'Aucun élément.' }) : '',
        element('ul', { class: 'results' }, ...ofState.map((item) => element('li', {},
            element('a', { class: 'name', href: `#feuille-de-route/${idOf(item.name)}`,
                           text: item.title }),
            element('div', { class: 'place' }, [item.axis, `${
              (item.sourceProposals || []).length} proposition${
              (item.sourceProposals || []).length > 1 ? 's' : ''}`].filter(Boolean).join(' · '),
            ' · ', progressBar(item, `Avancement de ${item.title}`))))));
  }));
}

let currentAction = '';
$('roadmap-action').addEventListener('change', () => {
  currentAction = $('roadmap-action').value;
  showRoadmap();
});

$('roadmap-add-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('roadmap-add-status').textContent = '';
  try {
    const made = await api('POST', '/v1/roadmapItems', {
      action: $('roadmap-action').value, title: $('roadmap-add-title').value.trim(),
      axis: $('roadmap-add-axis').value.trim(),
      description: $('roadmap-add-description').value.trim(),
    });
    for (const id of ['roadmap-add-title', 'roadmap-add-axis', 'roadmap-add-description']) {
      $(id).value = '';
    }
    location.hash = `#feuille-de-route/${idOf(made.name)}`;
  } catch (error) {
    $('roadmap-add-status').textContent = `Élément refusé : ${error.message}`;
  }
});

// ---------------------------------------------------------------------------------------------
// One item: its facts, its sources, its progress and history.

let itemShown = null;

async function sourceLines(item) {
  const lines = [];
  for (const name of item.sourceProposals || []) {
    try {
      const output = await api('GET', `/v1/${name}`);
      const meeting = name.split('/outputs/')[0];
      lines.push(element('li', {}, `Proposition : ${output.proposal.title || output.proposal.text} `,
          element('a', { href: `#reunion/${idOf(meeting)}`, text: '(voir la réunion)' })));
    } catch (error) {
      lines.push(element('li', { text: `Proposition ${name} (illisible : ${error.message})` }));
    }
  }
  const fromProposals = new Set((item.sourceProposals || []).map((p) => p.split('/outputs/')[0]));
  for (const name of (item.sourceMeetings || []).filter((m) => !fromProposals.has(m))) {
    try {
      const meeting = await api('GET', `/v1/${name}`);
      lines.push(element('li', {}, 'Réunion : ',
          element('a', { href: `#reunion/${idOf(name)}`, text: meeting.title })));
    } catch (error) {
      lines.push(element('li', { text: `Réunion ${name}` }));
    }
  }
  return lines.length ? lines : [element('li', { text: 'Ni réunion ni proposition.' })];
}

function fillItem(item) {
  itemShown = item;
  $('roadmap-item-title').textContent = item.title;
  const facts = [
    ['Axe', item.axis || '—'],
    ['État', ITEM_STATES[item.state] || ''],
    ['Avancement', progressBar(item, `Avancement de ${item.title}`)],
    ['Description', item.description || '—'],
  ];
  $('roadmap-item-facts').replaceChildren(...facts.flatMap(([term, value]) => [
    element('dt', { text: term }), element('dd', {}, value)]));
  $('progress-value').value = String(item.progress || 0);
  $('progress-state').replaceChildren(
      element('option', { value: '', text: 'Inchangé (en cours dès que l\'avancement dépasse 0)' }),
      ...Object.entries(ITEM_STATES).map(([value, text]) => element('option', { value, text })));
  const ended = item.state === 'ROADMAP_ITEM_STATE_ABANDONED';
  $('progress-form').hidden = ended;
  // Newest first; the oldest entry records the creation (RoadmapItem.progress_history).
  $('progress-history').replaceChildren(...(item.progressHistory || []).map(
      (entry, i) => element('tr', {},
          element('td', { text: frenchDateTime(entry.time) }),
          element('td', { text: percent.format((entry.progress || 0) / 100) }),
          element('td', { text: ITEM_STATES[entry.state] || '' }),
          element('td', { text: i === 0 ? "Création de l'élément" : entry.note || '' })))
      .reverse());
}

export async function showRoadmapItem(name) {
  $('progress-status').textContent = '';
  $('roadmap-item-title').textContent = '';
  const item = await api('GET', `/v1/${name}`);
  fillItem(item);
  $('roadmap-item-sources').replaceChildren(...await sourceLines(item));
}

$('progress-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('progress-status').textContent = '';
  const progress = Number($('progress-value').value);
  if (!Number.isInteger(progress) || progress < 0 || progress > 100) {
    $('progress-status').textContent = "L'avancement est un nombre entier de 0 à 100.";
    $('progress-value').setAttribute('aria-invalid', 'true');
    return;
  }
  $('progress-value').removeAttribute('aria-invalid');
  try {
    const body = { progress, note: $('progress-note').value.trim(), etag: itemShown.etag };
    if ($('progress-state').value) body.state = $('progress-state').value;
    fillItem(await api('POST', `/v1/${itemShown.name}:recordProgress`, body));
    $('progress-note').value = '';
    $('progress-status').textContent = 'Avancement enregistré.';
  } catch (error) {
    if (error.status === 409) {
      fillItem(await api('GET', `/v1/${itemShown.name}`));
      $('progress-status').textContent =
          "Quelqu'un a enregistré un avancement entre-temps : l'élément est à jour, recommencez.";
      return;
    }
    $('progress-status').textContent = `Avancement refusé : ${error.message}`;
  }
});

// The meetings: the programme, and the attendance sheet a coordinator holds on a phone in the
// meeting room (one tap checks a participant in; walk-ins added on the spot; the waiting list
// in view; a printable sign-in sheet with a signature column).
import { api, element, frenchDateTime, frenchTime } from './api.js';
import { showProposals } from './roadmap.js';

const $ = (id) => document.getElementById(id);

const STATES = {
  MEETING_STATE_PLANNED: 'prévue',
  MEETING_STATE_HELD: 'tenue',
  MEETING_STATE_CLOSED: 'clôturée',
  MEETING_STATE_CANCELLED: 'annulée',
};
const STATUSES = {
  PARTICIPANT_STATUS_INVITED: 'invité·e',
  PARTICIPANT_STATUS_REGISTERED: 'inscrit·e',
  PARTICIPANT_STATUS_WAITING_LIST: "en liste d'attente",
  PARTICIPANT_STATUS_ATTENDED: 'présent·e',
  PARTICIPANT_STATUS_EXCUSED: 'excusé·e',
  PARTICIPANT_STATUS_NO_SHOW: 'absent·e',
  PARTICIPANT_STATUS_CANCELLED: 'désinscrit·e',
};

const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 });

// The funder's criteria for this year, for the action of the meetings shown.
async function showIndicators(action) {
  const year = new Date().getFullYear();
  const found = await api('GET', `/v1/${action}/indicators?periodStart.year=${year}` +
                                  `&periodStart.month=1&periodStart.day=1&periodEnd.year=${year}` +
                                  '&periodEnd.month=12&periodEnd.day=31');
  const rate = found.participationRate || {};
  const facts = [
    ['Réunions tenues', found.meetingsHeld || 0],
    ['Réunions prévues', found.meetingsPlanned || 0],
    ['Présences', found.attended || 0],
    ['Acteurs mobilisés', found.distinctActorsMobilized || 0],
    ['Taux de participation', rate.denominator ? percent.format(rate.numerator / rate.denominator)
                                               : '—'],
  ];
  $('indicators').replaceChildren(...facts.flatMap(([term, value]) => [
    element('dt', { text: term }), element('dd', { text: String(value) })]));
}

export async function showMeetings() {
  $('meetings-status').textContent = 'Chargement…';
  const found = await api('GET', '/v1/meetings?pageSize=200&orderBy=start_time');
  const meetings = found.meetings || [];
  $('meetings-status').textContent = meetings.length === 0 ? 'Aucune réunion.'
      : `${meetings.length} réunion${meetings.length > 1 ? 's' : ''}.`;
  const latest = meetings[meetings.length - 1];
  currentAction = latest ? latest.action
                         : ((await api('GET', '/v1/actions?pageSize=1')).actions || [{}])[0].name;
  if (currentAction) await showIndicators(currentAction);
  await loadChoices();
  $('meetings').replaceChildren(...meetings.map((meeting) => {
    const id = meeting.name.split('/')[1];
    const attendance = meeting.attendance || {};
    return element('li', {},
        element('a', { href: `#reunion/${id}`, text: meeting.title }),
        element('div', { class: 'place',
                         text: `${frenchDateTime(meeting.startTime)} · ${STATES[meeting.state] || ''}` +
                               ` · ${attendance.attended || 0} présent·e·s sur ` +
                               `${attendance.participants || 0}` }));
  }));
}

// The display name of each participant: the directory's actor, or the person met on the spot.
async function namesOf(participants) {
  const actors = [...new Set(participants.map((p) => p.actor).filter(Boolean))];
  const names = new Map();
  for (let i = 0; i < actors.length; i += 500) {
    const query = actors.slice(i, i + 500).map((a) => `names=${encodeURIComponent(a)}`).join('&');
    const found = await api('GET', `/v1/actors:batchGet?${query}`);
    for (const actor of found.actors || []) names.set(actor.name, actor.displayName);
  }
  return (participant) => {
    const person = participant.person || {};
    if (person.displayName) {
      return person.organization ? `${person.displayName} (${person.organization})`
                                 : person.displayName;
    }
    return names.get(participant.actor) || participant.actor || participant.name;
  };
}

let currentMeeting = '';
let frozen = false;  // the meeting shown is closed or cancelled
let currentAction = '';

const KINDS = {
  MEETING_KIND_ACTORS_WORKSHOP: "Atelier acteurs de l'ESS",
  MEETING_KIND_ELECTED_TECHNICIANS_MEETING: 'Rencontre élus et techniciens',
  MEETING_KIND_ELECTED_OFFICIALS_MEETING: 'Réunion des élus',
  MEETING_KIND_RESTITUTION_DAY: 'Journée de restitution',
  MEETING_KIND_ESS_MONTH_EVENT: "Événement du Mois de l'ESS",
  MEETING_KIND_LEARNING_VISIT: 'Visite apprenante',
  MEETING_KIND_ELECTED_OFFICIALS_TRAINING: 'Formation des élus',
  MEETING_KIND_OTHER: 'Autre',
};

// The choices of the forms, read once: communes of the territory, categories of the network.
let choicesLoaded = false;
async function loadChoices() {
  if (choicesLoaded) return;
  choicesLoaded = true;
  $('plan-kind').replaceChildren(...Object.entries(KINDS).map(
      ([value, label]) => element('option', { value, text: label })));
  const communes = (await api('GET', '/v1/communes?pageSize=1000')).communes || [];
  for (const select of ['plan-commune', 'invite-commune']) {
    $(select).replaceChildren(...communes.map(
        (c) => element('option', { value: c.inseeCode || c.code || '', text: c.displayName })));
  }
  const categories = (await api('GET', '/v1/networkCategories')).networkCategories || [];
  $('invite-category').replaceChildren(...categories.map(
      (c) => element('option', { value: c.code, text: c.displayName })));
}

export async function showSheet(meetingName) {
  currentMeeting = meetingName;
  await loadChoices();
  const meeting = await api('GET', `/v1/${meetingName}`);
  // Invitations go to a planned meeting only; a closed or cancelled meeting's attendance is
  // frozen (no check-in, no walk-in); a closed one shows its proposals and the roadmap items
  // they feed.
  frozen = meeting.state === 'MEETING_STATE_CLOSED' || meeting.state === 'MEETING_STATE_CANCELLED';
  for (const form of ['invite-form', 'invite-commune-form']) {
    $(form).hidden = meeting.state !== 'MEETING_STATE_PLANNED';
  }
  for (const form of ['walk-in', 'close-form']) $(form).hidden = frozen;
  for (const status of ['invite-status', 'invite-commune-status', 'close-status']) {
    $(status).textContent = '';
  }
  $('sheet-title').textContent = `Feuille d'émargement — ${meeting.title}`;
  $('sheet-when').textContent = frenchDateTime(meeting.startTime);
  const participants = [];
  let token = '';
  do {
    const page = await api('GET', `/v1/${meetingName}/participants?pageSize=500` +
                                   (token ? `&pageToken=${encodeURIComponent(token)}` : ''));
    participants.push(...(page.participants || []));
    token = page.nextPageToken || '';
  } while (token);
  const nameOf = await namesOf(participants);
  const byName = (a, b) => nameOf(a).localeCompare(nameOf(b), 'fr');
  const listed = participants
      .filter((p) => p.status !== 'PARTICIPANT_STATUS_WAITING_LIST').sort(byName);
  const waiting = participants.filter((p) => p.status === 'PARTICIPANT_STATUS_WAITING_LIST');
  $('sheet-rows').replaceChildren(...listed.map((p) => row(p, nameOf(p))));
  $('waiting-title').hidden = waiting.length === 0;
  $('waiting').replaceChildren(...waiting.map((p) => element('li', { text: nameOf(p) })));
  count();
  if (meeting.state === 'MEETING_STATE_CLOSED') await showProposals(meeting);
  else $('proposals-section').hidden = true;
}

function count() {
  const rows = [...document.querySelectorAll('#sheet-rows tr')];
  const present = rows.filter((r) => r.dataset.status === 'PARTICIPANT_STATUS_ATTENDED').length;
  $('sheet-count').textContent = `${present} présent·e${present > 1 ? 's' : ''} sur ${rows.length}`;
}

function presence(participant) {
  if (participant.status === 'PARTICIPANT_STATUS_ATTENDED') {
    return element('span', { class: 'checked',
                             text: `✓ présent·e ${frenchTime(participant.checkInTime)}` });
  }
  if (!frozen && (participant.status === 'PARTICIPANT_STATUS_INVITED' ||
                  participant.status === 'PARTICIPANT_STATUS_REGISTERED')) {
    const button = element('button', { type: 'button', class: 'check', text: 'Présent·e' });
    button.addEventListener('click', () => checkIn(participant, button));
    return button;
  }
  return element('span', { text: STATUSES[participant.status] || '' });
}

function row(participant, name) {
  const tr = element('tr', { 'data-name': participant.name, 'data-status': participant.status },
      element('td', { text: name }), element('td', {}, presence(participant)),
      element('td', { class: 'print-only' }));
  const button = tr.querySelector('button');
  if (button) button.setAttribute('aria-label', `Marquer ${name} présent·e`);
  return tr;
}

async function checkIn(participant, button) {
  button.disabled = true;
  button.textContent = '…';
  try {
    const checked = await api('POST', `/v1/${participant.name}:checkIn`, {});
    const tr = button.closest('tr');
    tr.dataset.status = checked.status;
    tr.children[1].replaceChildren(presence(checked));
    count();
  } catch (error) {
    button.disabled = false;
    button.textContent = 'Présent·e';
    $('sheet-count').textContent = `Émargement refusé : ${error.message}`;
  }
}

$('walk-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('walk-in-error').textContent = '';
  const organization = $('walk-in-org').value.trim();
  try {
    const made = await api('POST', `/v1/${currentMeeting}/participants`, {
      person: { displayName: $('walk-in-name').value.trim(), organization },
      role: organization ? 'PARTICIPANT_ROLE_ESS_ACTOR' : 'PARTICIPANT_ROLE_INHABITANT',
    });
    if (made.status !== 'PARTICIPANT_STATUS_WAITING_LIST') {
      await api('POST', `/v1/${made.name}:checkIn`, {});
    }
    $('walk-in-name').value = '';
    $('walk-in-org').value = '';
    await showSheet(currentMeeting);
  } catch (error) {
    $('walk-in-error').textContent = `Ajout refusé : ${error.message}`;
  }
});

$('print').addEventListener('click', () => window.print());

// Held (when it was still planned), the proposals recorded as outputs, then closed with its
// minutes: what the funder's indicators count.
$('close-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('close-status').textContent = '';
  try {
    let meeting = await api('GET', `/v1/${currentMeeting}`);
    if (meeting.state === 'MEETING_STATE_PLANNED') {
      meeting = await api('POST', `/v1/${currentMeeting}:markHeld`, {});
    }
    for (const input of document.querySelectorAll('#close-form .proposal')) {
      const text = input.value.trim();
      if (!text) continue;
      await api('POST', `/v1/${currentMeeting}/outputs`, { proposal: { text } });
      input.value = '';
    }
    await api('POST', `/v1/${currentMeeting}:close`,
              { minutes: $('minutes').value.trim(), etag: meeting.etag });
    $('minutes').value = '';
    await showSheet(currentMeeting);  // frozen now, with its proposals
    $('close-status').textContent = 'Réunion clôturée.';
  } catch (error) {
    $('close-status').textContent = `Clôture refusée : ${error.message}`;
  }
});

// Paris wall-clock time of a date and an "HH:MM" as an RFC 3339 instant.
export function parisInstant(date, time) {
  const guess = new Date(`${date}T${time}:00Z`);
  const paris = new Date(guess.toLocaleString('en-US', { timeZone: 'Europe/Paris' }));
  const utc = new Date(guess.toLocaleString('en-US', { timeZone: 'UTC' }));
  return new Date(guess.getTime() - (paris - utc)).toISOString();
}

$('plan-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('plan-status').textContent = '';
  try {
    const meeting = await api('POST', '/v1/meetings', {
      title: $('plan-title').value.trim(), kind: $('plan-kind').value,
      format: 'MEETING_FORMAT_IN_PERSON', action: currentAction,
      place: { address: $('plan-address').value.trim(), communeInseeCode: $('plan-commune').value },
      startTime: parisInstant($('plan-date').value, $('plan-start').value),
      endTime: parisInstant($('plan-date').value, $('plan-end').value),
    });
    $('plan-form').reset();
    $('plan').open = false;
    location.hash = `#reunion/${meeting.name.split('/')[1]}`;
  } catch (error) {
    $('plan-status').textContent = `Réunion refusée : ${error.message}`;
  }
});

// Invites every active actor of a network category or of a commune (BatchInviteParticipants),
// and says how many were invited and how many were skipped.
async function invite(selector, status) {
  $(status).textContent = '';
  try {
    const found = await api('POST', `/v1/${currentMeeting}/participants:batchInvite`,
                            { ...selector, role: 'PARTICIPANT_ROLE_ESS_ACTOR' });
    const made = (found.participants || []).length;
    const skipped = (found.skipped || []).length;
    await showSheet(currentMeeting);
    const others = skipped ? `${skipped} déjà invité${skipped > 1 ? 's' : ''} ou archivé${
      skipped > 1 ? 's' : ''}` : '';
    $(status).textContent = made === 0 ? (others ? `Aucun acteur invité : ${others}.`
                                                 : 'Aucun acteur à inviter.')
        : `${made} acteur${made > 1 ? 's' : ''} invité${made > 1 ? 's' : ''}.` +
          (others ? ` ${others[0].toUpperCase()}${others.slice(1)}.` : '');
  } catch (error) {
    $(status).textContent = `Invitation refusée : ${error.message}`;
  }
}
$('invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  invite({ networkCategory: $('invite-category').value }, 'invite-status');
});
$('invite-commune-form').addEventListener('submit', (event) => {
  event.preventDefault();
  invite({ commune: $('invite-commune').value }, 'invite-commune-status');
});

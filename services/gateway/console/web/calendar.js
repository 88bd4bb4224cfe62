// The programme as a month calendar (beside the list): French weekday and month names, weeks
// starting on Monday, days in Paris time. The month is a grid navigable from the keyboard (one
// tab stop: arrows move by day and week, Home and End to the week's ends, Page Up and Page Down
// by month, Enter opens the day's meeting, Tab reaches the day's meetings); a meeting opens
// its attendance sheet. Each month's meetings are read with one ListMeetings call filtered on
// start_time.
import { api, element, frenchDateTime, frenchTime } from './api.js';
import { parisInstant } from './meetings.js';

const $ = (id) => document.getElementById(id);

const monthTitle = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric',
                                                      timeZone: 'UTC' });
const weekdayLong = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', timeZone: 'UTC' });
const weekdayShort = new Intl.DateTimeFormat('fr-FR', { weekday: 'short', timeZone: 'UTC' });
const dayLong = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric',
                                                   month: 'long', year: 'numeric',
                                                   timeZone: 'UTC' });
const STATE_CLASS = {
  MEETING_STATE_PLANNED: 'planned', MEETING_STATE_HELD: 'held',
  MEETING_STATE_CLOSED: 'closed', MEETING_STATE_CANCELLED: 'cancelled',
};
const STATE_TEXT = {
  MEETING_STATE_PLANNED: 'prévue', MEETING_STATE_HELD: 'tenue',
  MEETING_STATE_CLOSED: 'clôturée', MEETING_STATE_CANCELLED: 'annulée',
};

// Today in Paris, "YYYY-MM-DD".
function parisToday() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}
function pad(n) { return String(n).padStart(2, '0'); }
function daysIn(year, month) { return new Date(Date.UTC(year, month, 0)).getUTCDate(); }
// 0 for Monday ... 6 for Sunday.
function weekday(year, month, day) { return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7; }

let shown = { year: 0, month: 0 };  // the month on screen
let focusDay = 1;                    // the day holding the grid's tab stop
const cache = new Map();             // "YYYY-MM" → meetings, read again when the view opens

async function meetingsOf(year, month) {
  const key = `${year}-${pad(month)}`;
  if (cache.has(key)) return cache.get(key);
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
  const from = parisInstant(`${key}-01`, '00:00');
  const to = parisInstant(next, '00:00');
  const filter = `start_time >= "${from}" AND start_time < "${to}"`;
  const meetings = [];
  let token = '';
  do {
    const page = await api('GET', `/v1/meetings?pageSize=1000&orderBy=start_time&filter=${
      encodeURIComponent(filter)}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
    meetings.push(...(page.meetings || []));
    token = page.nextPageToken || '';
  } while (token);
  cache.set(key, meetings);
  return meetings;
}

function weekdayHeaders() {
  // 1 January 2024 was a Monday.
  return [...Array(7).keys()].map((i) => {
    const date = new Date(Date.UTC(2024, 0, 1 + i));
    return element('th', { scope: 'col' },
        element('span', { 'aria-hidden': 'true', text: weekdayShort.format(date) }),
        element('span', { class: 'visually-hidden', text: weekdayLong.format(date) }));
  });
}

function dayCell(year, month, day, meetings, today) {
  const iso = `${year}-${pad(month)}-${pad(day)}`;
  const date = new Date(Date.UTC(year, month - 1, day));
  const cell = element('td', { role: 'gridcell', 'data-day': String(day), tabindex: '-1' },
      element('div', { class: 'day-number' },
          element('span', { 'aria-hidden': 'true', text: String(day) }),
          element('span', { class: 'visually-hidden', text: dayLong.format(date) })));
  if (iso === today) cell.setAttribute('aria-current', 'date');
  if (meetings.length > 0) {
    cell.classList.add('has-meetings');
    cell.append(element('ul', { class: 'day-meetings' }, ...meetings.map((m) => element('li', {},
        element('a', { href: `#reunion/${m.name.split('/')[1]}`, tabindex: '-1',
                       class: STATE_CLASS[m.state] || '' },
            `${frenchTime(m.startTime)} `, element('span', { class: 'title', text: m.title }),
            element('span', { class: 'visually-hidden',
                              text: ` (${STATE_TEXT[m.state] || ''})` }))))));
  }
  return cell;
}

// Draws a month; a drawing overtaken by a later one while its meetings were read is dropped,
// and the keyboard focus stays in the grid when it was there.
let renderSeq = 0;
async function render(year, month, day) {
  const seq = ++renderSeq;
  const meetings = await meetingsOf(year, month);
  if (seq !== renderSeq) return;
  const hadFocus = $('calendar-grid').contains(document.activeElement);
  shown = { year, month };
  const byDay = new Map();
  for (const meeting of meetings) {
    const local = new Date(meeting.startTime).toLocaleDateString('sv-SE',
                                                                 { timeZone: 'Europe/Paris' });
    const d = Number(local.slice(8, 10));
    if (!byDay.has(d)) byDay.set(d, []);
    byDay.get(d).push(meeting);
  }
  const title = monthTitle.format(new Date(Date.UTC(year, month - 1, 1)));
  $('calendar-title').textContent = `${title[0].toUpperCase()}${title.slice(1)} · ${
    meetings.length} réunion${meetings.length > 1 ? 's' : ''}`;
  $('calendar-month').value = `${year}-${pad(month)}`;
  const today = parisToday();
  const rows = [];
  let cells = [...Array(weekday(year, month, 1))].map(
      () => element('td', { role: 'gridcell', class: 'outside' }));
  for (let d = 1; d <= daysIn(year, month); ++d) {
    cells.push(dayCell(year, month, d, byDay.get(d) || [], today));
    if (cells.length === 7) {
      rows.push(element('tr', {}, ...cells));
      cells = [];
    }
  }
  if (cells.length > 0) {
    while (cells.length < 7) cells.push(element('td', { role: 'gridcell', class: 'outside' }));
    rows.push(element('tr', {}, ...cells));
  }
  $('calendar-weeks').replaceChildren(...rows);
  // On a phone the days show the times only: the month's meetings are listed below the grid.
  $('calendar-list').replaceChildren(...meetings.map((m) => element('li', {},
      element('a', { href: `#reunion/${m.name.split('/')[1]}`, class: 'name',
                     text: m.title }),
      element('div', { class: 'place', text: `${frenchDateTime(m.startTime)} · ${
        STATE_TEXT[m.state] || ''}` }))));
  history.replaceState(null, '', `#calendrier/${year}-${pad(month)}`);
  setFocusDay(Math.min(day, daysIn(year, month)), hadFocus);
}

function cellOf(day) { return $('calendar-weeks').querySelector(`td[data-day="${day}"]`); }

// Moves the grid's tab stop (and the day's meetings into the tab order) to `day`.
function setFocusDay(day, focus) {
  const previous = cellOf(focusDay);
  if (previous) {
    previous.tabIndex = -1;
    for (const link of previous.querySelectorAll('a')) link.tabIndex = -1;
  }
  focusDay = day;
  const cell = cellOf(day);
  if (!cell) return;
  cell.tabIndex = 0;
  for (const link of cell.querySelectorAll('a')) link.tabIndex = 0;
  if (focus) cell.focus();
}

// Shows the month of `year`-`month` with `day` holding the tab stop; focus it when asked.
async function go(year, month, day, focus) {
  while (month < 1) { month += 12; year -= 1; }
  while (month > 12) { month -= 12; year += 1; }
  if (year !== shown.year || month !== shown.month) {
    await render(year, month, Math.max(1, day));
    if (focus && cellOf(focusDay)) cellOf(focusDay).focus();
    return;
  }
  setFocusDay(day, focus);
}

// A day `delta` days away from the focused one, in this month or a neighbour.
function moveBy(delta) {
  const target = new Date(Date.UTC(shown.year, shown.month - 1, focusDay + delta));
  return go(target.getUTCFullYear(), target.getUTCMonth() + 1, target.getUTCDate(), true);
}

$('calendar-grid').addEventListener('keydown', (event) => {
  const cell = event.target.closest('td[data-day]');
  if (!cell || event.target !== cell) return;  // keys inside a meeting's link are the link's
  const column = weekday(shown.year, shown.month, focusDay);
  const keys = {
    ArrowLeft: () => moveBy(-1), ArrowRight: () => moveBy(1),
    ArrowUp: () => moveBy(-7), ArrowDown: () => moveBy(7),
    Home: () => go(shown.year, shown.month, Math.max(1, focusDay - column), true),
    End: () => go(shown.year, shown.month,
                  Math.min(daysIn(shown.year, shown.month), focusDay + 6 - column), true),
    PageUp: () => go(shown.year, shown.month - 1, focusDay, true),
    PageDown: () => go(shown.year, shown.month + 1, focusDay, true),
    Enter: () => {
      const link = cell.querySelector('a');
      if (link) link.click();
    },
  };
  if (!(event.key in keys)) return;
  event.preventDefault();
  keys[event.key]();
});
$('calendar-grid').addEventListener('click', (event) => {
  const cell = event.target.closest('td[data-day]');
  if (cell && !event.target.closest('a')) setFocusDay(Number(cell.dataset.day), true);
});
$('calendar-previous').addEventListener('click', () => go(shown.year, shown.month - 1, focusDay, false));
$('calendar-next').addEventListener('click', () => go(shown.year, shown.month + 1, focusDay, false));
$('calendar-today').addEventListener('click', () => {
  const today = parisToday();
  go(Number(today.slice(0, 4)), Number(today.slice(5, 7)), Number(today.slice(8, 10)), true);
});
$('calendar-go').addEventListener('submit', (event) => {
  event.preventDefault();
  const [year, month] = $('calendar-month').value.split('-').map(Number);
  if (year && month) go(year, month, 1, true);
});

// The programme as a list (#reunions) or as the calendar of a month (#calendrier/YYYY-MM,
// this month when none is given), as the address says now (the person may have switched while
// the programme was loading).
export async function showProgrammeView() {
  const hash = location.hash.slice(1);
  const calendar = hash.startsWith('calendrier');
  $('meetings').hidden = calendar;
  $('meetings-status').hidden = calendar;
  $('calendar').hidden = !calendar;
  for (const [id, current] of [['view-list', !calendar], ['view-calendar', calendar]]) {
    if (current) $(id).setAttribute('aria-current', 'true');
    else $(id).removeAttribute('aria-current');
  }
  if (!calendar) return;
  cache.clear();
  if ($('calendar-weekdays').children.length === 0) {
    $('calendar-weekdays').replaceChildren(...weekdayHeaders());
  }
  const asked = /^calendrier\/(\d{4})-(\d{2})$/.exec(hash);
  const today = parisToday();
  const year = asked ? Number(asked[1]) : Number(today.slice(0, 4));
  const month = asked ? Number(asked[2]) : Number(today.slice(5, 7));
  const day = asked ? 1 : Number(today.slice(8, 10));
  shown = { year: 0, month: 0 };
  await render(year, month, day);
}

// The list/calendar switch without reloading the programme: the history gets the view.
for (const id of ['view-list', 'view-calendar']) {
  $(id).addEventListener('click', (event) => {
    if ($('meetings-panel').hidden) return;
    event.preventDefault();
    const hash = $(id).getAttribute('href');
    history.pushState(null, '', hash);
    showProgrammeView();
  });
}

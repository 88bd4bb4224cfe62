// The console's calls to the public API, with the session's CSRF token on writes, and the
// French formats of dates.
let current = null;

export function session() { return current; }
export function setSession(value) { current = value; }

export async function api(method, path, body, extraHeaders = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (current && method !== 'GET') headers['X-CSRF-Token'] = current.csrfToken;
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
    error.details = (data.error && data.error.details) || [];
    throw error;
  }
  return data;
}

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit',
  minute: '2-digit', timeZone: 'Europe/Paris',
});
const time = new Intl.DateTimeFormat('fr-FR', {
  hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris',
});

export function frenchDateTime(iso) { return iso ? dateTime.format(new Date(iso)) : ''; }
export function frenchTime(iso) { return iso ? time.format(new Date(iso)) : ''; }

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

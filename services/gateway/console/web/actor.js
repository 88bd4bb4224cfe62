// An actor's card: its facts, its contacts (as the role allows), and its edit form with
// conflict handling: the save carries the etag read (If-Match); when someone changed the actor
// meanwhile, the person is told what changed and may start again from the current version.
import { api, element } from './api.js';

const $ = (id) => document.getElementById(id);
const EDITABLE = ['displayName', 'description', 'website', 'email', 'phone'];
const LABELS = {
  displayName: 'Nom', description: 'Description', website: 'Site web', email: 'E-mail',
  phone: 'Téléphone',
};
let loaded = null;  // the actor as read, with its etag
let categoryNames = null;  // code → display name, read once

async function categoryName(code) {
  if (categoryNames === null) {
    const found = await api('GET', '/v1/networkCategories');
    categoryNames = new Map((found.networkCategories || []).map((c) => [c.code, c.displayName]));
  }
  return categoryNames.get(code) || code;
}

async function fill(actor) {
  loaded = actor;
  for (const field of EDITABLE) $(`actor-${field}`).value = actor[field] || '';
  $('actor-conflict').hidden = true;
  $('actor-error').textContent = '';
  const address = actor.address || {};
  const facts = [
    ['Adresse', [...(address.lines || []), [address.postalCode, address.city].filter(Boolean)
        .join(' ')].filter(Boolean).join(', ')],
    ['SIRET', actor.siret], ['Site web', actor.website], ['E-mail', actor.email],
    ['Téléphone', actor.phone],
    ['Catégories', (await Promise.all((actor.networkCategories || []).map(categoryName)))
        .join(', ')],
  ].filter(([, value]) => value);
  $('actor-facts').replaceChildren(...facts.flatMap(([term, value]) => [
    element('dt', { text: term }), element('dd', { text: value })]));
  // Last: the card is complete once its title is there.
  $('actor-title').textContent = actor.displayName;
  document.dispatchEvent(new CustomEvent('actorloaded', { detail: actor }));  // actor_manage.js
}

export async function showActor(name) {
  $('actor-saved').textContent = '';
  $('actor-title').textContent = '';
  // The actor, its contacts and the categories' names are asked at once.
  const contactsRead = api('GET', `/v1/${name}/contacts?pageSize=100`);
  contactsRead.catch(() => {});  // handled below
  const [actor] = await Promise.all([api('GET', `/v1/${name}`), categoryName('')]);
  await fill(actor);
  try {
    const found = await contactsRead;
    const contacts = found.contacts || [];
    $('actor-contacts').replaceChildren(...(contacts.length === 0
        ? [element('li', { text: 'Aucun contact.' })]
        : contacts.map((c) => element('li', {
          text: [[c.givenName, c.familyName].filter(Boolean).join(' '), c.jobTitle, c.email,
                 c.phone].filter(Boolean).join(' · ') }))));
  } catch (error) {
    // A role that may not read personal data sees no contact.
    $('actor-contacts').replaceChildren(element('li', {
      text: error.status === 403 ? 'Contacts non visibles avec votre rôle.'
                                 : `Contacts indisponibles : ${error.message}` }));
  }
}

$('actor-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('actor-saved').textContent = '';
  $('actor-error').textContent = '';
  const body = {};
  for (const field of EDITABLE) {
    const value = $(`actor-${field}`).value.trim();
    if (value !== (loaded[field] || '')) body[field] = value;
  }
  if (Object.keys(body).length === 0) {
    $('actor-saved').textContent = 'Rien à enregistrer.';
    return;
  }
  try {
    await fill(await api('PATCH', `/v1/${loaded.name}`, body, { 'If-Match': `"${loaded.etag}"` }));
    $('actor-saved').textContent = 'Fiche enregistrée.';
  } catch (error) {
    if (error.status === 409) {
      const current = await api('GET', `/v1/${loaded.name}`);
      const changes = EDITABLE.filter((f) => (current[f] || '') !== (loaded[f] || ''));
      $('actor-changes').replaceChildren(...changes.map((f) => element('li', {
        text: `${LABELS[f]} : « ${current[f] || ''} » (vous aviez lu « ${loaded[f] || ''} »` +
              (f in body ? `, vous vouliez « ${body[f]} »)` : ')') })));
      $('actor-conflict').hidden = false;
      $('actor-reload').onclick = () => fill(current);
      return;
    }
    $('actor-error').textContent = `Enregistrement refusé : ${error.message}`;
  }
});

// On an actor's card: archive it or bring it back (after a confirmation), and its duplicates
// as the duplicate finder proposes them (FindDuplicates with `name = "actors/N"`: the score,
// the rule and the explanation of each pair), then a merge: the person chooses which fiche
// survives, sees what the merge will move and fill, confirms, and lands on the survivor.
import { api, element } from './api.js';
import { showActor } from './actor.js';

const $ = (id) => document.getElementById(id);
const RULES = {
  DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE: 'noms proches, même commune',
  DUPLICATE_RULE_SIMILAR_NAME: 'noms proches',
  DUPLICATE_RULE_SAME_SIREN: 'même SIREN',
  DUPLICATE_RULE_SAME_WEBSITE: 'même site web',
  DUPLICATE_RULE_SAME_EMAIL: 'même adresse e-mail',
};
// The fields a merge fills on the survivor when they are empty there (MergeActors).
const FILLED = [
  ['legalName', 'Raison sociale'], ['description', 'Description'], ['website', 'Site web'],
  ['email', 'E-mail'], ['phone', 'Téléphone'], ['siren', 'SIREN'], ['siret', 'SIRET'],
  ['rna', 'RNA'], ['legalCategoryCode', 'Catégorie juridique'], ['nafCode', 'Code NAF'],
];
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 });

let actor = null;       // the card's actor, as last read (with its etag)
let message = '';       // said once the card is shown again (after a merge)

const id = (name) => name.split('/')[1];

function reset() {
  $('archive-confirm').hidden = true;
  $('merge-form').hidden = true;
  $('duplicates').replaceChildren();
  $('duplicates-status').textContent = '';
  $('archive-status').textContent = '';
  $('merge-status').textContent = message;
  message = '';
  const archived = actor.state === 'ACTOR_STATE_ARCHIVED';
  const merged = actor.state === 'ACTOR_STATE_MERGED';
  $('actor-state').textContent = merged ? `Fiche fusionnée dans ${actor.mergedInto}.`
      : archived ? 'Fiche archivée : elle n\'apparaît plus dans l\'annuaire ni les recherches.'
      : 'Fiche active.';
  $('archive').textContent = archived ? 'Désarchiver la fiche' : 'Archiver la fiche';
  $('archive').hidden = merged;
  $('find-duplicates').hidden = merged;
}

document.addEventListener('actorloaded', (event) => {
  actor = event.detail;
  reset();
});

$('archive').addEventListener('click', () => {
  const archived = actor.state === 'ACTOR_STATE_ARCHIVED';
  $('archive-question').textContent = archived
      ? `Remettre « ${actor.displayName} » dans l'annuaire ?`
      : `Archiver « ${actor.displayName} » ? La fiche reste lisible et ses liens sont gardés, ` +
        'mais elle quitte l\'annuaire et les recherches (elle peut être désarchivée).';
  $('archive-confirm').hidden = false;
  $('archive-yes').focus();
});
$('archive-no').addEventListener('click', () => {
  $('archive-confirm').hidden = true;
  $('archive').focus();
});
$('archive-yes').addEventListener('click', async () => {
  const archived = actor.state === 'ACTOR_STATE_ARCHIVED';
  try {
    await api('POST', `/v1/${actor.name}:${archived ? 'unarchive' : 'archive'}`,
              { etag: actor.etag });
    message = archived ? 'Fiche désarchivée.' : 'Fiche archivée.';
    await showActor(actor.name);
  } catch (error) {
    $('archive-confirm').hidden = true;
    $('archive-status').textContent = error.status === 409
        ? 'Quelqu\'un a modifié cette fiche entre-temps : rechargez-la puis recommencez.'
        : `Refusé : ${error.message}`;
  }
});

$('find-duplicates').addEventListener('click', async () => {
  $('duplicates-status').textContent = 'Recherche des doublons…';
  $('merge-form').hidden = true;
  try {
    const found = await api('GET', '/v1/actors:findDuplicates?pageSize=20&filter=' +
                                   encodeURIComponent(`name = "${actor.name}"`));
    const candidates = found.candidates || [];
    $('duplicates-status').textContent = candidates.length === 0
        ? 'Aucun doublon probable.'
        : `${candidates.length} doublon${candidates.length > 1 ? 's' : ''} probable` +
          `${candidates.length > 1 ? 's' : ''}, le plus probable d'abord.`;
    $('duplicates').replaceChildren(...candidates.map((c) => {
      const other = c.actor.name === actor.name ? c.otherActor : c.actor;
      const choose = element('button', { type: 'button', class: 'secondary',
                                         text: 'Fusionner ces deux fiches…' });
      choose.addEventListener('click', () => prepareMerge(other, c));
      return element('li', { 'data-other': other.name },
          element('a', { class: 'name', href: `#acteur/${id(other.name)}`,
                         text: other.displayName }),
          element('div', { class: 'place', text: `Probabilité ${percent.format(c.score)} · ` +
                                                 `${RULES[c.rule] || c.rule}` }),
          element('div', { class: 'explanation', text: `Pourquoi : ${c.explanation}` }),
          choose);
    }));
  } catch (error) {
    $('duplicates-status').textContent = `La recherche des doublons a échoué : ${error.message}`;
  }
});

// What merging `other` into `survivor` will do, in sentences.
async function consequences(survivor, other) {
  const lines = [`« ${other.displayName} » deviendra un renvoi vers « ${survivor.displayName} » ` +
                 '(ses liens et références suivent).'];
  try {
    const found = await api('GET', `/v1/${other.name}/contacts?pageSize=100`);
    const contacts = found.contacts || [];
    lines.push(contacts.length === 0 ? 'Aucun contact à déplacer.'
        : `Contacts déplacés vers « ${survivor.displayName} » : ` + contacts.map((c) =>
          [c.givenName, c.familyName].filter(Boolean).join(' ')).join(', ') + '.');
  } catch (error) {
    lines.push(error.status === 403 ? 'Ses contacts (non visibles avec votre rôle) seront déplacés.'
                                    : 'Ses contacts seront déplacés.');
  }
  try {
    const found = await api('GET', `/v1/${other.name}/relationships?pageSize=100`);
    const n = (found.relationships || []).length;
    if (n > 0) lines.push(`${n} relation${n > 1 ? 's' : ''} entre acteurs déplacée${n > 1 ? 's' : ''}.`);
  } catch (error) { /* the contacts' sentence says enough */ }
  for (const [field, label] of FILLED) {
    if (!survivor[field] && other[field]) lines.push(`${label} repris : « ${other[field]} ».`);
  }
  if (!survivor.address && other.address) lines.push('Adresse reprise de l\'autre fiche.');
  if (!survivor.coordinates && other.coordinates) lines.push('Coordonnées reprises.');
  const added = (other.networkCategories || [])
      .filter((c) => !(survivor.networkCategories || []).includes(c));
  if (added.length) {
    const names = await categoryNames();
    lines.push(`Catégories ajoutées : ${added.map((c) => names.get(c) || c).join(', ')}.`);
  }
  return lines;
}

let categories = null;  // code → display name, read once
async function categoryNames() {
  if (!categories) {
    const found = await api('GET', '/v1/networkCategories?pageSize=1000');
    categories = new Map((found.networkCategories || []).map((c) => [c.code, c.displayName]));
  }
  return categories;
}

let pair = null;  // {a, b} of the merge being prepared

async function showConsequences() {
  const keep = $('merge-form').querySelector('input[name=survivor]:checked').value;
  const [survivor, other] = keep === pair.a.name ? [pair.a, pair.b] : [pair.b, pair.a];
  const lines = await consequences(survivor, other);
  $('merge-moves').replaceChildren(...lines.map((text) => element('li', { text })));
}

async function prepareMerge(other, candidate) {
  // Both read again: the etags sent with the merge are the ones the person saw.
  const [a, b] = await Promise.all([api('GET', `/v1/${actor.name}`),
                                    api('GET', `/v1/${other.name}`)]);
  pair = { a, b };
  $('merge-why').textContent = `${percent.format(candidate.score)} : ${candidate.explanation}`;
  $('merge-choices').replaceChildren(...[a, b].map((x, i) => element('label', { class: 'inline' },
      element('input', { type: 'radio', name: 'survivor', value: x.name, id: `survivor-${i}`,
                         ...(i === 0 ? { checked: '' } : {}) }),
      ` « ${x.displayName} » (${x.name})`)));
  for (const radio of $('merge-choices').querySelectorAll('input')) {
    radio.addEventListener('change', showConsequences);
  }
  await showConsequences();
  $('merge-form').hidden = false;
  $('merge-form').querySelector('input[name=survivor]:checked').focus();
}

$('merge-cancel').addEventListener('click', () => { $('merge-form').hidden = true; });
$('merge-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const keep = $('merge-form').querySelector('input[name=survivor]:checked').value;
  const [survivor, other] = keep === pair.a.name ? [pair.a, pair.b] : [pair.b, pair.a];
  try {
    const merged = await api('POST', `/v1/${survivor.name}:merge`, {
      otherActor: other.name, etag: survivor.etag, otherEtag: other.etag,
      requestId: crypto.randomUUID(),
    });
    message = `Fusion faite : « ${other.displayName} » renvoie désormais vers ` +
              `« ${merged.displayName} », la fiche conservée.`;
    if (location.hash === `#acteur/${id(merged.name)}`) await showActor(merged.name);
    else location.hash = `#acteur/${id(merged.name)}`;
  } catch (error) {
    $('merge-status').textContent = error.status === 409
        ? 'Une des deux fiches a changé entre-temps : recommencez.'
        : `Fusion refusée : ${error.message}`;
  }
});

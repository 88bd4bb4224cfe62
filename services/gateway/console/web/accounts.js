// The staff accounts, for admins: the list, a new account (its first password given, or
// generated and shown once), a role changed, an account disabled or enabled again. Through the
// public admin API (GatewayAdminService: /v1/staffAccounts), which refuses every other role.
import { api, element, frenchDateTime } from './api.js';

const $ = (id) => document.getElementById(id);
const ROLES = [
  ['ROLE_ADMIN', 'Administration'], ['ROLE_STAFF', 'Équipe'], ['ROLE_FUNDER', 'Financeur'],
];
const REFUSALS = {
  LAST_ADMIN_ACCOUNT: 'C\'est le dernier compte d\'administration actif : nommez d\'abord une ' +
                      'autre personne à l\'administration.',
  STAFF_ACCOUNT_EXISTS: 'Cette adresse a déjà un compte.',
};

function refusal(error) {
  if (REFUSALS[error.reason]) return REFUSALS[error.reason];
  const fields = error.details.flatMap((d) => d.fieldViolations || []).map((v) => v.field);
  if (fields.includes('funder_id')) {
    return 'Un compte de financeur a besoin de l\'identifiant du financeur : créez-le avec.';
  }
  if (fields.includes('password')) return 'Le mot de passe doit avoir de 12 à 256 caractères.';
  if (fields.includes('email')) return 'Cette adresse e-mail n\'est pas valide.';
  return error.message;
}

function roleSelect(account) {
  const select = element('select', { 'aria-label': `Rôle de ${account.email}` },
      ...ROLES.map(([value, text]) => element('option', { value, text })));
  select.value = account.role;
  select.addEventListener('change', async () => {
    try {
      await api('PATCH', `/v1/${account.name}`, { role: select.value });
      $('accounts-status').textContent =
          `Rôle de ${account.email} : ${select.selectedOptions[0].textContent}.`;
      account.role = select.value;
    } catch (error) {
      select.value = account.role;
      $('accounts-status').textContent = `Changement refusé : ${refusal(error)}`;
    }
  });
  return select;
}

function accountRow(account) {
  const disabled = account.state === 'STAFF_ACCOUNT_STATE_DISABLED';
  const toggle = element('button', { type: 'button', class: 'secondary small',
                                     text: disabled ? 'Réactiver' : 'Désactiver',
                                     'aria-label': `${disabled ? 'Réactiver' : 'Désactiver'} ` +
                                                   account.email });
  toggle.addEventListener('click', async () => {
    try {
      await api('POST', `/v1/${account.name}:${disabled ? 'enable' : 'disable'}`, {});
      await showAccounts();
      $('accounts-status').textContent =
          `${account.email} ${disabled ? 'peut de nouveau se connecter' : 'est désactivé·e'}.`;
    } catch (error) {
      $('accounts-status').textContent = `Refusé : ${refusal(error)}`;
    }
  });
  // data-label: the column's name, shown beside each cell when a phone lays the rows as cards.
  return element('tr', { 'data-email': account.email, 'data-state': account.state },
      element('td', { 'data-label': 'E-mail', text: account.email }),
      element('td', { 'data-label': 'Nom', text: account.displayName || '' }),
      element('td', { 'data-label': 'Rôle' }, roleSelect(account)),
      element('td', { 'data-label': 'État', text: disabled ? 'désactivé' : 'actif' }),
      element('td', { 'data-label': 'Dernière connexion',
                      text: account.lastLoginTime ? frenchDateTime(account.lastLoginTime) : '—' }),
      element('td', { 'data-label': 'Action' }, toggle));
}

export async function showAccounts() {
  const accounts = [];
  let token = '';
  do {
    const page = await api('GET', `/v1/staffAccounts?pageSize=200` +
                                   (token ? `&pageToken=${encodeURIComponent(token)}` : ''));
    accounts.push(...(page.staffAccounts || []));
    token = page.nextPageToken || '';
  } while (token);
  $('accounts-rows').replaceChildren(...accounts.map(accountRow));
}

$('account-role').addEventListener('change', () => {
  $('account-funder-field').hidden = $('account-role').value !== 'ROLE_FUNDER';
});

$('account-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('account-created').textContent = '';
  $('account-password-shown').hidden = true;
  const role = $('account-role').value;
  const request = {
    staffAccount: {
      email: $('account-email').value.trim(), displayName: $('account-name').value.trim(),
      role, funderId: role === 'ROLE_FUNDER' ? $('account-funder').value.trim() : '',
    },
    password: $('account-password').value,
  };
  try {
    const made = await api('POST', '/v1/staffAccounts', request);
    $('account-created').textContent = `Compte créé pour ${made.staffAccount.email}.`;
    if (made.generatedPassword) {
      // Shown once: the gateway keeps only its hash.
      $('account-password-shown').replaceChildren(
          'Mot de passe à transmettre (affiché une seule fois) : ',
          element('code', { id: 'account-generated', text: made.generatedPassword }));
      $('account-password-shown').hidden = false;
    }
    for (const id of ['account-email', 'account-name', 'account-password', 'account-funder']) {
      $(id).value = '';
    }
    await showAccounts();
  } catch (error) {
    $('account-created').textContent = `Création refusée : ${refusal(error)}`;
  }
});

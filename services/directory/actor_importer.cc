// ImportActors: CSV rows → actors, matched and upserted in one transaction (see
// actor_importer.h).
#include "services/directory/actor_importer.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/csv/csv_reader.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_csv.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr int kMaxIssuesInError = 100;

// The actor a row designates, with the rule, or 0.
struct Match {
  int64_t id = 0;
  v1::ImportMatchRule rule = v1::IMPORT_MATCH_RULE_UNSPECIFIED;
};

// What the match and duplicate rules read of an actor.
struct ActorKeys {
  std::string siret, rna, siren, folded_name, commune;
};

ActorKeys KeysOf(const Actor& actor, std::string folded_name) {
  return {actor.siret(), actor.rna(), actor.siren(), std::move(folded_name),
          actor.address().commune_insee_code()};
}

// The actors that a file's rows may match or collide with, read with a few statements before
// the rows are applied, then kept up to date as they are (a row sees what earlier rows did).
// Actors created by earlier rows and not inserted yet have negative ids (-1, -2...), which come
// after every stored actor in id order, as their ids will.
//
// Rules, as the single-actor SQL of the service: a row matches by SIRET, then RNA, then folded
// display name + commune (lowest id); a duplicate is another actor with the same SIRET, the
// same SIREN + folded display name, or the same RNA, in that order (ActorStore::
// FindIdentifierOwner). Merged actors are never read.
class ActorIndex {
 public:
  void Add(int64_t id, const ActorKeys& keys) {
    keys_[id] = keys;
    for (auto [map, key] : Entries(keys)) (*map)[key].insert(Rank(id));
  }
  void Remove(int64_t id) {
    auto it = keys_.find(id);
    if (it == keys_.end()) return;
    for (auto [map, key] : Entries(it->second)) (*map)[key].erase(Rank(id));
    keys_.erase(it);
  }
  const ActorKeys* KeysOf(int64_t id) const {
    auto it = keys_.find(id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  Match FindMatch(const ActorKeys& keys) const {
    if (int64_t id = First(siret_, keys.siret, 0)) return {id, v1::IMPORT_MATCH_RULE_SIRET};
    if (int64_t id = First(rna_, keys.rna, 0)) return {id, v1::IMPORT_MATCH_RULE_RNA};
    if (!keys.folded_name.empty()) {
      if (int64_t id = First(name_commune_, NameCommune(keys), 0)) {
        return {id, v1::IMPORT_MATCH_RULE_NAME_AND_COMMUNE};
      }
    }
    return {};
  }
  absl::optional<IdentifierOwner> FindOwner(const ActorKeys& keys, int64_t self) const {
    if (int64_t id = First(siret_, keys.siret, self)) return IdentifierOwner{id, "siret"};
    if (!keys.siren.empty()) {
      if (int64_t id = First(siren_name_, SirenName(keys), self)) {
        return IdentifierOwner{id, "siren_and_name"};
      }
    }
    if (int64_t id = First(rna_, keys.rna, self)) return IdentifierOwner{id, "rna"};
    return absl::nullopt;
  }

 private:
  using Map = std::map<std::string, std::set<int64_t>>;  // key → ranks
  static constexpr int64_t kPendingBase = int64_t{1} << 62;
  static int64_t Rank(int64_t id) { return id > 0 ? id : kPendingBase - id; }
  static int64_t IdOf(int64_t rank) { return rank < kPendingBase ? rank : kPendingBase - rank; }
  static std::string NameCommune(const ActorKeys& k) {
    return absl::StrCat(k.folded_name, "\n", k.commune);
  }
  static std::string SirenName(const ActorKeys& k) {
    return absl::StrCat(k.siren, "\n", k.folded_name);
  }
  std::vector<std::pair<Map*, std::string>> Entries(const ActorKeys& k) {
    std::vector<std::pair<Map*, std::string>> entries;
    if (!k.siret.empty()) entries.emplace_back(&siret_, k.siret);
    if (!k.rna.empty()) entries.emplace_back(&rna_, k.rna);
    if (!k.siren.empty()) entries.emplace_back(&siren_name_, SirenName(k));
    entries.emplace_back(&name_commune_, NameCommune(k));
    return entries;
  }
  // The lowest id under `key` other than `self`, or 0 (an empty key matches nothing).
  static int64_t First(const Map& map, const std::string& key, int64_t self) {
    if (key.empty()) return 0;
    auto it = map.find(key);
    if (it == map.end()) return 0;
    for (int64_t rank : it->second) {
      if (IdOf(rank) != self) return IdOf(rank);
    }
    return 0;
  }

  std::map<int64_t, ActorKeys> keys_;
  Map siret_, rna_, siren_name_, name_commune_;
};

constexpr char kFold[] =
    "SELECT directory_fold(n) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, o) ORDER BY o";
// directory_fold(display_name) is indexed (migration 0002) for the last term.
constexpr char kCandidates[] =
    "SELECT a.id, a.siret, a.rna, a.siren, directory_fold(a.display_name), a.insee_code "
    "FROM actors a WHERE a.state <> 'ACTOR_STATE_MERGED' AND (a.siret = ANY($1::text[]) OR "
    "a.rna = ANY($2::text[]) OR a.siren = ANY($3::text[]) OR "
    "directory_fold(a.display_name) = ANY($4::text[]))";

// directory_fold of each text, in order.
std::vector<std::string> Fold(pqxx::work& txn, const std::vector<std::string>& texts) {
  std::vector<std::string> folded;
  if (texts.empty()) return folded;
  for (const auto& row : txn.exec_params(kFold, db::PgArray(texts))) {
    folded.push_back(row[0].as<std::string>());
  }
  return folded;
}

// Field violations of a status as (field, reason), or the status message for the whole row.
std::vector<std::pair<std::string, std::string>> Problems(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) {
      problems.emplace_back(v.field(), v.description());
    }
  }
  if (problems.empty()) problems.emplace_back("", std::string(status.message()));
  return problems;
}

}  // namespace

absl::StatusOr<v1::ImportActorsResponse> ActorImporter::Import(
    db::Deadline deadline, const v1::ImportActorsRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(ParsedActorFile file, ParseActorFile(request));
  const v1::ImportActorsResponse& response = file.report;
  const std::map<std::string, std::string>& header_of = file.header_of;
  std::vector<ParsedActorRow>& rows = file.rows;
  std::string source = request.source().empty() ? "csv-import" : request.source();
  bool file_has_source = file.has_source_column;

  auto run = [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
    v1::ImportActorsResponse report = response;
    if (request.validate_only()) txn.exec("SAVEPOINT validate_only");
    // A few statements for the whole file: the reference lists, the folded names of the rows,
    // the actors they may match or collide with (locked), then one INSERT for the new actors
    // and one for the changes.
    const ReferenceSnapshot reference = ReferenceSnapshot::Read(txn);
    std::vector<Actor> normalized_rows;
    std::vector<std::string> names;
    for (const ParsedActorRow& row : rows) {
      Actor normalized = row.actor;
      NormalizeActor(normalized);
      names.push_back(normalized.display_name());
      normalized_rows.push_back(std::move(normalized));
    }
    const std::vector<std::string> folded = Fold(txn, names);
    ActorIndex index;
    std::map<int64_t, Actor> current_of;  // stored actors read or written by the import
    {
      std::set<std::string> sirets, rnas, sirens;
      for (const Actor& a : normalized_rows) {
        if (!a.siret().empty()) sirets.insert(a.siret());
        if (!a.rna().empty()) rnas.insert(a.rna());
        if (!a.siren().empty()) sirens.insert(a.siren());
      }
      std::set<std::string> folded_set(folded.begin(), folded.end());
      std::vector<std::string> ids;
      for (const auto& row : txn.exec_params(kCandidates, db::PgArray(sirets), db::PgArray(rnas),
                                             db::PgArray(sirens), db::PgArray(folded_set))) {
        int64_t id = row[0].as<int64_t>();
        index.Add(id, {row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                       row[4].as<std::string>(), row[5].as<std::string>()});
        ids.push_back(absl::StrCat(id));
      }
      if (!ids.empty()) {
        for (const auto& row : txn.exec_params(
                 absl::StrCat("SELECT ", ActorStore::Columns(),
                              " FROM actors a WHERE a.id = ANY($1::bigint[]) FOR UPDATE"),
                 db::PgArray(ids))) {
          current_of[row[0].as<int64_t>()] = ActorStore::ActorFromRow(row);
        }
      }
    }
    std::vector<PendingChange> changes;  // appended last, in row order
    auto change = [&](v1::ChangeKind kind, const Actor& actor) {
      PendingChange c;
      c.kind = kind;
      c.type = v1::CHANGED_RESOURCE_TYPE_ACTOR;
      c.resource_name = actor.name();
      c.has_snapshot = true;
      c.snapshot = actor.SerializeAsString();
      changes.push_back(std::move(c));
    };
    // Actors created by rows, inserted together (earlier when a later row matches one).
    struct Pending {
      int64_t index_id;  // negative, until inserted
      int result;        // index in report.rows
      size_t change;
      Actor actor;
    };
    std::vector<Pending> pending;
    std::vector<int64_t> inserted_ids;  // id of pending actor -(k + 1) at k
    auto flush = [&] {
      if (pending.empty()) return;
      std::vector<Actor> actors;
      for (const Pending& p : pending) actors.push_back(p.actor);
      std::vector<Actor> stored = ActorStore::InsertMany(txn, actors);
      for (size_t i = 0; i < stored.size(); ++i) {
        const Actor& created = stored[i];
        int64_t id = *api::ParseResourceId(created.name(), "actors", "name", kDomain);
        inserted_ids.push_back(id);
        current_of[id] = created;
        ActorKeys keys = *index.KeysOf(pending[i].index_id);
        index.Remove(pending[i].index_id);
        index.Add(id, keys);
        if (!request.validate_only()) {
          report.mutable_rows(pending[i].result)->set_actor(created.name());
        }
        changes[pending[i].change].resource_name = created.name();
        changes[pending[i].change].snapshot = created.SerializeAsString();
      }
      pending.clear();
    };
    // The stored id of an index id (inserting the pending actors when it is one of them).
    auto stored_id = [&](int64_t id) {
      if (id >= 0) return id;
      if (static_cast<size_t>(-id) > inserted_ids.size()) flush();
      return inserted_ids[static_cast<size_t>(-id) - 1];
    };
    int64_t next_pending = -1;

    for (size_t r = 0; r < rows.size(); ++r) {
      ParsedActorRow& row = rows[r];
      v1::ImportRowResult* result = report.add_rows();
      result->set_row(row.line);
      auto reject = [&](const std::vector<std::pair<std::string, std::string>>& problems) {
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_REJECTED);
        result->clear_actor();
        result->set_matched_by(v1::IMPORT_MATCH_RULE_UNSPECIFIED);
        for (const auto& [field, reason] : problems) {
          v1::ImportIssue* issue = report.add_issues();
          issue->set_row(row.line);
          issue->set_field(field);
          auto it = header_of.find(field);
          if (it != header_of.end()) issue->set_column(it->second);
          issue->set_reason(reason);
        }
      };
      if (!row.problems.empty()) {
        reject(row.problems);
        continue;
      }
      Actor incoming = row.actor;
      if (!file_has_source) incoming.mutable_provenance()->set_source(source);
      google::protobuf::FieldMask mask = row.mask;
      if (!file_has_source) mask.add_paths("provenance.source");
      Actor normalized = incoming;
      NormalizeActor(normalized);
      Match match;
      if (!row.name.empty()) {
        absl::StatusOr<int64_t> id = api::ParseResourceId(row.name, "actors", "name", kDomain);
        absl::StatusOr<Actor> found =
            id.ok() ? ActorStore::Get(txn, *id, true) : absl::StatusOr<Actor>(id.status());
        if (!found.ok()) {
          reject({{"name", absl::StrCat("no actor ", row.name)}});
          continue;
        }
        if (found->state() == v1::ACTOR_STATE_MERGED) {
          reject({{"name", absl::StrCat(row.name, " was merged into ", found->merged_into())}});
          continue;
        }
        match = {*id, v1::IMPORT_MATCH_RULE_RESOURCE_NAME};
        if (!current_of.count(*id)) current_of[*id] = *found;
        if (index.KeysOf(*id) == nullptr) {
          index.Add(*id, KeysOf(*found, Fold(txn, {found->display_name()})[0]));
        }
      } else {
        ActorKeys keys = KeysOf(normalized, folded[r]);
        if (auto it = reference.current_commune.find(keys.commune);
            it != reference.current_commune.end()) {
          keys.commune = it->second;
        }
        match = index.FindMatch(keys);
        if (match.id < 0) match.id = stored_id(match.id);
      }
      if (match.id == 0) {
        absl::Status checked = CheckActorAgainstReference(normalized, "", reference);
        if (checked.ok()) {
          if (auto owner = index.FindOwner(KeysOf(normalized, folded[r]), 0)) {
            owner->actor_id = stored_id(owner->actor_id);
            checked = DuplicateActorError(*owner);
          }
        }
        if (!checked.ok()) {
          reject(Problems(checked));
          continue;
        }
        index.Add(next_pending, KeysOf(normalized, folded[r]));
        --next_pending;
        changes.push_back(
            {v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, "", true, "", ""});
        pending.push_back(
            {next_pending + 1, report.rows_size() - 1, changes.size() - 1, normalized});
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_CREATED);
        report.set_created_count(report.created_count() + 1);
        continue;
      }
      const Actor& current = current_of[match.id];
      absl::StatusOr<Actor> updated = ApplyActorMask(current, incoming, mask);
      if (!updated.ok()) {
        reject(Problems(updated.status()));
        continue;
      }
      NormalizeActor(*updated);
      absl::Status checked = CheckActorAgainstReference(*updated, "", reference);
      ActorKeys keys;
      if (checked.ok()) {
        const ActorKeys* old_keys = index.KeysOf(match.id);
        std::string folded_name =
            old_keys != nullptr && updated->display_name() == current.display_name()
                ? old_keys->folded_name
                : Fold(txn, {updated->display_name()})[0];
        keys = KeysOf(*updated, folded_name);
        if (auto owner = index.FindOwner(keys, match.id)) {
          owner->actor_id = stored_id(owner->actor_id);
          checked = DuplicateActorError(*owner);
        }
      }
      if (!checked.ok()) {
        reject(Problems(checked));
        continue;
      }
      result->set_actor(current.name());
      result->set_matched_by(match.rule);
      if (SameWritableFields(*updated, current)) {
        result->set_outcome(v1::IMPORT_ROW_OUTCOME_UNCHANGED);
        report.set_unchanged_count(report.unchanged_count() + 1);
        continue;
      }
      Actor stored = ActorStore::Update(txn, match.id, *updated);
      index.Remove(match.id);
      index.Add(match.id, keys);
      current_of[match.id] = stored;
      change(v1::CHANGE_KIND_UPDATED, stored);
      result->set_outcome(v1::IMPORT_ROW_OUTCOME_UPDATED);
      report.set_updated_count(report.updated_count() + 1);
    }
    flush();
    for (const auto& r : report.rows()) {
      if (r.outcome() == v1::IMPORT_ROW_OUTCOME_REJECTED) {
        report.set_rejected_count(report.rejected_count() + 1);
      }
    }
    if (request.validate_only()) {
      txn.exec("ROLLBACK TO SAVEPOINT validate_only");
      return report;
    }
    if (report.rejected_count() == 0) AppendChanges(txn, changes);
    if (report.rejected_count() > 0) {
      FieldViolations violations;
      for (int i = 0; i < report.issues_size() && i < kMaxIssuesInError; ++i) {
        const v1::ImportIssue& issue = report.issues(i);
        violations.Add(absl::StrCat("rows[", issue.row(), "]", issue.field().empty() ? "" : ".",
                                    issue.field()),
                       issue.reason());
      }
      return violations.ToStatus(kDomain);
    }
    return report;
  };
  return pool_.Transact<v1::ImportActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
        if (request.validate_only()) return run(txn);
        return db::RunIdempotent<v1::ImportActorsResponse>(txn, request.request_id(),
                                                           "ImportActors", request, kDomain,
                                                           [&]() { return run(txn); });
      });
}

}  // namespace maillage::directory

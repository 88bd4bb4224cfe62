// ImportActors: CSV rows → actors, matched and upserted in one transaction (see
// actor_importer.h).
#include "services/directory/actor_importer.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/status/errors.h"
#include "common/status/localized.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_csv.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_index.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/import_reports.h"
#include "services/directory/reference_store.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr int kMaxIssuesInError = 100;

using Problems = std::vector<std::pair<std::string, std::string>>;  // (field, reason)

ActorKeys KeysOf(const Actor& actor, std::string folded_name) {
  return {actor.siret(), actor.rna(), actor.siren(), std::move(folded_name),
          actor.address().commune_insee_code()};
}

// Field violations of a status as (field, reason), or the status message for the whole row.
Problems ProblemsOf(const absl::Status& status) {
  Problems problems;
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) {
      problems.emplace_back(v.field(), v.description());
    }
  }
  if (problems.empty()) problems.emplace_back("", std::string(status.message()));
  return problems;
}

// The French sentence of a problem of the whole row: the status's own when it has one.
std::string FrenchOfRow(const absl::Status& status) {
  std::optional<google::rpc::LocalizedMessage> french = GetLocalizedMessage(status);
  return french ? french->message() : "";
}

// Rows read, applied and written per batch, so that a large file's parsed rows, the actors they
// touch and their change snapshots are never all held at once (issue #14).
constexpr size_t kBatchRows = 1000;

// One application of a file in one transaction, a batch of kBatchRows rows at a time read from
// the ActorFileReader: per batch a few statements (the folded names of its rows, the actors they
// may match or collide with, locked), then its rows in order against the ActorIndex (which keeps
// the keys of every actor seen since the first batch), its new actors in one INSERT (earlier
// when a later row matches one of them) and its changes in another. A new run (and reader) per
// attempt of the transaction.
class ImportRun {
 public:
  ImportRun(pqxx::work& txn, const v1::ImportActorsRequest& request, ActorFileReader& file)
      : txn_(txn),
        request_(request),
        file_(file),
        source_(request.source().empty() ? "csv-import" : request.source()),
        report_(file.report()) {}

  // Every step in order; the report, or INVALID_ARGUMENT naming the first problems when a row
  // was rejected or the CSV is malformed (and nothing is kept: the caller's transaction rolls
  // back).
  absl::StatusOr<v1::ImportActorsResponse> Run() {
    if (request_.validate_only()) txn_.exec("SAVEPOINT validate_only");
    reference_ = ReferenceStore::Snapshot(txn_);
    for (bool more = true; more;) {
      MAILLAGE_ASSIGN_OR_RETURN(more, file_.NextBatch(kBatchRows, rows_));
      if (rows_.empty()) break;
      ReadCandidates();
      for (size_t r = 0; r < rows_.size(); ++r) ApplyRow(r);
      Flush();
      // The changes of a batch in row order; none once a row is rejected (the import fails).
      if (!request_.validate_only() && !rejected_) AppendChanges(txn_, changes_);
      changes_.clear();
      current_of_.clear();
    }
    rows_.clear();
    return Finish();
  }

 private:
  // An actor created by a row, inserted with the others (Flush).
  struct Pending {
    int64_t index_id;  // negative, until inserted
    int result;        // index in report_.rows
    size_t change;     // index in changes_
    Actor actor;
  };

  // Step 1, per batch: its rows normalised and their names folded, and the actors they may
  // match or collide with, in the index and (locked) in current_of_.
  void ReadCandidates() {
    std::vector<std::string> names;
    std::set<std::string> sirets, rnas, sirens;
    for (const ParsedActorRow& row : rows_) {
      Actor normalized = row.actor;
      NormalizeActor(normalized);
      names.push_back(normalized.display_name());
      if (!normalized.siret().empty()) sirets.insert(normalized.siret());
      if (!normalized.rna().empty()) rnas.insert(normalized.rna());
      if (!normalized.siren().empty()) sirens.insert(normalized.siren());
    }
    folded_ = ActorStore::FoldNames(txn_, names);
    std::set<std::string> folded_set(folded_.begin(), folded_.end());
    std::vector<int64_t> ids;
    for (auto& [id, keys] : ActorStore::MatchCandidates(
             txn_, {sirets.begin(), sirets.end()}, {rnas.begin(), rnas.end()},
             {sirens.begin(), sirens.end()}, {folded_set.begin(), folded_set.end()})) {
      // An actor of an earlier batch is indexed already, with the keys this import gave it.
      if (index_.KeysOf(id) == nullptr) index_.Add(id, keys);
      ids.push_back(id);
    }
    current_of_ = ActorStore::GetMany(txn_, ids, /*for_update=*/true);
  }

  // Step 2, per row: reject it, or find the actor it designates and create or update.
  void ApplyRow(size_t r) {
    const ParsedActorRow& row = rows_[r];
    v1::ImportRowResult* result = report_.add_rows();
    result->set_row(row.line);
    if (!row.problems.empty()) return Reject(row, result, row.problems);
    Actor incoming = row.actor;
    google::protobuf::FieldMask mask = row.mask;
    if (!file_.has_source_column()) {
      incoming.mutable_provenance()->set_source(source_);
      mask.add_paths("provenance.source");
    }
    Actor normalized = incoming;
    NormalizeActor(normalized);
    absl::StatusOr<ImportMatch> match = Match(row, normalized, r);
    if (!match.ok())
      return Reject(row, result, ProblemsOf(match.status()), FrenchOfRow(match.status()));
    if (match->id == 0) return Create(row, result, normalized, r);
    Update(row, result, *match, incoming, mask);
  }

  // The actor a row designates: by its `name` cell, else by the index's rules; {} for none.
  // INVALID_ARGUMENT (field name) for an unknown or merged actor name.
  absl::StatusOr<ImportMatch> Match(const ParsedActorRow& row, const Actor& normalized, size_t r) {
    if (row.name.empty()) {
      ActorKeys keys = KeysOf(normalized, folded_[r]);
      if (auto it = reference_.current_commune.find(keys.commune);
          it != reference_.current_commune.end()) {
        keys.commune = it->second;
      }
      ImportMatch match = index_.FindMatch(keys);
      if (match.id < 0) match.id = StoredId(match.id);
      return match;
    }
    absl::StatusOr<int64_t> id = api::ParseResourceId(row.name, "actors", "name", kDomain);
    absl::StatusOr<Actor> found =
        id.ok() ? ActorStore::Get(txn_, *id, true) : absl::StatusOr<Actor>(id.status());
    if (!found.ok()) return InvalidField(kDomain, "name", absl::StrCat("no actor ", row.name));
    if (found->state() == v1::ACTOR_STATE_MERGED) {
      return InvalidField(kDomain, "name",
                          absl::StrCat(row.name, " was merged into ", found->merged_into()));
    }
    if (!current_of_.count(*id)) current_of_[*id] = *found;
    if (index_.KeysOf(*id) == nullptr) {
      index_.Add(*id, KeysOf(*found, ActorStore::FoldNames(txn_, {found->display_name()})[0]));
    }
    return ImportMatch{*id, v1::IMPORT_MATCH_RULE_RESOURCE_NAME};
  }

  // A row that matches nothing: checked, then pending until the next Flush.
  void Create(const ParsedActorRow& row, v1::ImportRowResult* result, Actor& normalized, size_t r) {
    absl::Status checked = CheckActorAgainstReference(normalized, "", reference_);
    if (checked.ok()) {
      if (auto owner = index_.FindOwner(KeysOf(normalized, folded_[r]), 0)) {
        owner->actor_id = StoredId(owner->actor_id);
        checked = DuplicateActorError(*owner);
      }
    }
    if (!checked.ok()) return Reject(row, result, ProblemsOf(checked), FrenchOfRow(checked));
    index_.Add(next_pending_, KeysOf(normalized, folded_[r]));
    changes_.push_back(
        {v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, "", true, "", ""});
    pending_.push_back({next_pending_, report_.rows_size() - 1, changes_.size() - 1, normalized});
    --next_pending_;
    result->set_outcome(v1::IMPORT_ROW_OUTCOME_CREATED);
    report_.set_created_count(report_.created_count() + 1);
  }

  // A row that matches a stored actor: the mask applied, checked, written when it changes
  // something.
  void Update(const ParsedActorRow& row, v1::ImportRowResult* result, const ImportMatch& match,
              const Actor& incoming, const google::protobuf::FieldMask& mask) {
    if (!current_of_.count(match.id)) {  // matched through the index, not a candidate
      current_of_[match.id] = ActorStore::GetMany(txn_, {match.id}, /*for_update=*/true)[match.id];
    }
    const Actor& current = current_of_[match.id];
    absl::StatusOr<Actor> updated = api::ApplyUpdateMask(current, incoming, mask, kDomain);
    if (!updated.ok())
      return Reject(row, result, ProblemsOf(updated.status()), FrenchOfRow(updated.status()));
    NormalizeActor(*updated);
    absl::Status checked = CheckActorAgainstReference(*updated, "", reference_);
    ActorKeys keys;
    if (checked.ok()) {
      const ActorKeys* old_keys = index_.KeysOf(match.id);
      std::string folded_name =
          old_keys != nullptr && updated->display_name() == current.display_name()
              ? old_keys->folded_name
              : ActorStore::FoldNames(txn_, {updated->display_name()})[0];
      keys = KeysOf(*updated, folded_name);
      if (auto owner = index_.FindOwner(keys, match.id)) {
        owner->actor_id = StoredId(owner->actor_id);
        checked = DuplicateActorError(*owner);
      }
    }
    if (!checked.ok()) return Reject(row, result, ProblemsOf(checked), FrenchOfRow(checked));
    result->set_actor(current.name());
    result->set_matched_by(match.rule);
    if (SameWritableFields(*updated, current)) {
      result->set_outcome(v1::IMPORT_ROW_OUTCOME_UNCHANGED);
      report_.set_unchanged_count(report_.unchanged_count() + 1);
      return;
    }
    Actor stored = ActorStore::Update(txn_, match.id, *updated);
    index_.Remove(match.id);
    index_.Add(match.id, keys);
    current_of_[match.id] = stored;
    changes_.push_back({v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, stored.name(),
                        true, stored.SerializeAsString(), ""});
    result->set_outcome(v1::IMPORT_ROW_OUTCOME_UPDATED);
    report_.set_updated_count(report_.updated_count() + 1);
  }

  // `french_of_row`: the French sentence of a problem of the whole row, when the error had one.
  void Reject(const ParsedActorRow& row, v1::ImportRowResult* result, const Problems& problems,
              const std::string& french_of_row = "") {
    rejected_ = true;
    result->set_outcome(v1::IMPORT_ROW_OUTCOME_REJECTED);
    result->clear_actor();
    result->set_matched_by(v1::IMPORT_MATCH_RULE_UNSPECIFIED);
    for (const auto& [field, reason] : problems) {
      v1::ImportIssue* issue = report_.add_issues();
      issue->set_row(row.line);
      issue->set_field(field);
      auto it = file_.header_of().find(field);
      if (it != file_.header_of().end()) issue->set_column(it->second);
      issue->set_reason(reason);
      std::string french;
      if (!field.empty()) {
        french = FrenchFieldViolation(issue->column().empty() ? field : issue->column(), reason);
      } else if (!french_of_row.empty()) {
        french = french_of_row;
      } else {
        french = absl::StrCat("Ligne refusée (détail en anglais : ", reason, ").");
      }
      *issue->mutable_localized_message() = French(french);
    }
  }

  // Inserts the pending actors with one statement; their index entries and changes take the
  // stored ids.
  void Flush() {
    if (pending_.empty()) return;
    std::vector<Actor> actors;
    for (const Pending& p : pending_) actors.push_back(p.actor);
    std::vector<Actor> stored = ActorStore::InsertMany(txn_, actors);
    for (size_t i = 0; i < stored.size(); ++i) {
      const Actor& created = stored[i];
      int64_t id = *api::ParseResourceId(created.name(), "actors", "name", kDomain);
      inserted_ids_.push_back(id);
      current_of_[id] = created;
      ActorKeys keys = *index_.KeysOf(pending_[i].index_id);
      index_.Remove(pending_[i].index_id);
      index_.Add(id, keys);
      if (!request_.validate_only()) {
        report_.mutable_rows(pending_[i].result)->set_actor(created.name());
      }
      changes_[pending_[i].change].resource_name = created.name();
      changes_[pending_[i].change].snapshot = created.SerializeAsString();
    }
    pending_.clear();
  }

  // The stored id of an index id (inserting the pending actors when it is one of them).
  int64_t StoredId(int64_t id) {
    if (id >= 0) return id;
    if (static_cast<size_t>(-id) > inserted_ids_.size()) Flush();
    return inserted_ids_[static_cast<size_t>(-id) - 1];
  }

  // Step 3: the counts; validate_only undoes the writes; otherwise the changes, or the error
  // naming the first problems when a row was rejected.
  absl::StatusOr<v1::ImportActorsResponse> Finish() {
    for (const auto& r : report_.rows()) {
      if (r.outcome() == v1::IMPORT_ROW_OUTCOME_REJECTED) {
        report_.set_rejected_count(report_.rejected_count() + 1);
      }
    }
    if (request_.validate_only()) {
      txn_.exec("ROLLBACK TO SAVEPOINT validate_only");
      AddFrench(report_, /*validate_only=*/true);
      return report_;
    }
    if (report_.rejected_count() > 0) {
      FieldViolations violations;
      for (int i = 0; i < report_.issues_size() && i < kMaxIssuesInError; ++i) {
        const v1::ImportIssue& issue = report_.issues(i);
        violations.Add(absl::StrCat("rows[", issue.row(), "]", issue.field().empty() ? "" : ".",
                                    issue.field()),
                       issue.reason());
      }
      return violations.ToStatus(kDomain);
    }
    AddFrench(report_, /*validate_only=*/false);
    return report_;
  }

  pqxx::work& txn_;
  const v1::ImportActorsRequest& request_;
  ActorFileReader& file_;
  const std::string source_;
  v1::ImportActorsResponse report_;
  ReferenceSnapshot reference_;
  std::vector<ParsedActorRow> rows_;  // the batch being applied
  bool rejected_ = false;             // a row was rejected: the import fails
  std::vector<std::string> folded_;   // folded display name of each row of the batch
  ActorIndex index_;
  std::map<int64_t, Actor> current_of_;  // stored actors read or written by the batch
  std::vector<PendingChange> changes_;   // of the batch, appended after it, in row order
  std::vector<Pending> pending_;
  std::vector<int64_t> inserted_ids_;  // stored id of pending actor -(k + 1) at k
  int64_t next_pending_ = -1;
};

}  // namespace

absl::StatusOr<v1::ImportActorsResponse> ActorImporter::Import(
    const v1::ImportActorsRequest& request, db::Deadline deadline) {
  // The file as a whole is checked before the transaction (an empty file, a bad header...).
  MAILLAGE_RETURN_IF_ERROR(ActorFileReader::Open(request).status());
  return pool_.Transact<v1::ImportActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ImportActorsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(std::unique_ptr<ActorFileReader> file,
                                  ActorFileReader::Open(request));
        if (request.validate_only()) return ImportRun(txn, request, *file).Run();
        return db::RunIdempotent<v1::ImportActorsResponse>(
            txn, request.request_id(), "ImportActors", request, kDomain,
            [&]() { return ImportRun(txn, request, *file).Run(); });
      });
}

}  // namespace maillage::directory

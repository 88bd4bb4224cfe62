// The Actor aggregate's rules (see actor_registry.h).
#include "services/directory/actor_registry.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/etag.h"
#include "common/api/list_query.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/csv/csv_writer.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/localized.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/directory/actor_csv.h"
#include "services/directory/actor_exchange_formats.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_search.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/reference_store.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr int kMaxBatchGet = 1000;
constexpr size_t kMaxFilterBytes = 2000;

const std::set<std::string>& LabelNames() {
  static const auto* const kLabels =
      new std::set<std::string>{"ESUS", "SIAE", "SIAE_ACI", "SIAE_AI", "SIAE_EI", "SIAE_ETTI"};
  return *kLabels;
}

// Checks the values the filter compiler cannot know (labels, actor names) and whether a state
// term is present.
absl::Status InspectFilter(const api::FilterNode& node, bool& has_state) {
  if (node.kind != api::FilterNode::Kind::kCompare) {
    for (const api::FilterNode& child : node.children) {
      MAILLAGE_RETURN_IF_ERROR(InspectFilter(child, has_state));
    }
    return absl::OkStatus();
  }
  if (node.field == "state") has_state = true;
  if (node.field == "label" && !LabelNames().count(node.value)) {
    return InvalidField(kDomain, "filter",
                        absl::StrCat("'label' takes one of ", absl::StrJoin(LabelNames(), ", "),
                                     ", not '", node.value, "'"));
  }
  if ((node.field == "member_of" || node.field == "name") &&
      !api::ParseResourceId(node.value, "actors", "filter", kDomain).ok()) {
    return InvalidField(
        kDomain, "filter",
        absl::StrCat("'", node.field, "' takes an actor name such as actors/3, not '", node.value,
                     "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ActorId(const std::string& name, absl::string_view field) {
  return api::ParseResourceId(name, "actors", field, kDomain);
}

absl::Status MergedError(const Actor& actor) {
  return FailedPrecondition(kDomain, "ACTOR_MERGED",
                            absl::StrCat("actor ", actor.name(), " was merged into ",
                                         actor.merged_into(), "; write to that actor instead"),
                            {{"name", actor.name()}, {"merged_into", actor.merged_into()}});
}

}  // namespace

absl::StatusOr<api::SqlCondition> CompileActorFilter(const std::string& filter,
                                                     absl::string_view implied_state,
                                                     int first_param) {
  if (filter.size() > kMaxFilterBytes) {
    return InvalidField(kDomain, "filter", "at most 2000 characters");
  }
  MAILLAGE_ASSIGN_OR_RETURN(api::FilterNode tree, api::ParseFilter(filter, kDomain));
  bool has_state = false;
  MAILLAGE_RETURN_IF_ERROR(InspectFilter(tree, has_state));
  MAILLAGE_ASSIGN_OR_RETURN(
      api::SqlCondition condition,
      api::CompileFilter(filter, ActorStore::FilterSchema(), first_param, kDomain));
  if (!has_state && !implied_state.empty()) {
    condition.params.push_back(std::string(implied_state));
    condition.sql = absl::StrCat("(", condition.sql, " AND a.state = $",
                                 first_param - 1 + condition.params.size(), ")");
  }
  return condition;
}

namespace {

// The field checks of an actor against the reference lists: `current_commune` is the current
// code of its commune (nullopt when unknown), `unknown_categories` and `unknown_themes` the codes
// absent from the lists.
absl::Status ReportReference(Actor& actor, absl::string_view prefix,
                             const absl::optional<std::string>& current_commune,
                             const std::vector<std::string>& unknown_categories,
                             const std::vector<std::string>& unknown_themes) {
  FieldViolations violations;
  CheckActorFields(actor, prefix, violations);
  const std::string& insee = actor.address().commune_insee_code();
  if (!insee.empty()) {
    if (!current_commune) {
      violations.Add(absl::StrCat(prefix, "address.commune_insee_code"),
                     absl::StrCat(insee, " is not a commune of the territory (see ListCommunes)"));
    } else {
      actor.mutable_address()->set_commune_insee_code(*current_commune);
    }
  }
  for (const std::string& code : unknown_categories) {
    violations.Add(absl::StrCat(prefix, "network_categories"),
                   absl::StrCat("unknown category '", code, "' (see ListNetworkCategories)"));
  }
  for (const std::string& code : unknown_themes) {
    violations.Add(absl::StrCat(prefix, "themes"),
                   absl::StrCat("unknown theme '", code, "' (see ListThemes)"));
  }
  return violations.ToStatus(kDomain);
}

std::vector<std::string> Unknown(const google::protobuf::RepeatedPtrField<std::string>& codes,
                                 const std::set<std::string>& known) {
  std::vector<std::string> unknown;
  for (const std::string& code : codes) {
    if (!known.count(code)) unknown.push_back(code);
  }
  return unknown;
}

}  // namespace

absl::Status CheckActorAgainstReference(Actor& actor, absl::string_view prefix,
                                        const ReferenceSnapshot& reference) {
  absl::optional<std::string> current;
  if (auto it = reference.current_commune.find(actor.address().commune_insee_code());
      it != reference.current_commune.end()) {
    current = it->second;
  }
  return ReportReference(actor, prefix, current,
                         Unknown(actor.network_categories(), reference.network_categories),
                         Unknown(actor.themes(), reference.themes));
}

absl::Status DuplicateActorError(const IdentifierOwner& owner) {
  std::string existing = api::ResourceName("actors", owner.actor_id);
  absl::Status status = AlreadyExists(
      kDomain, "ACTOR_ALREADY_EXISTS",
      absl::StrCat("actor ", existing, " already has this ",
                   owner.matched_by == "siren_and_name" ? "SIREN and name" : owner.matched_by),
      {{"existing_actor", existing}, {"matched_by", owner.matched_by}});
  const char* what = owner.matched_by == "siret" ? "ce SIRET"
                     : owner.matched_by == "rna" ? "ce numéro RNA"
                                                 : "ce SIREN et ce nom";
  SetLocalizedMessage(status,
                      French(absl::StrCat("Un autre acteur (", existing, ") a déjà ", what, ".")));
  return status;
}

namespace {

// The errors of `actor` given what the directory says of it (and the commune replaced by its
// current code).
absl::Status ReportFacts(Actor& actor, absl::string_view prefix, const ActorFacts& facts) {
  MAILLAGE_RETURN_IF_ERROR(ReportReference(actor, prefix, facts.current_commune,
                                           facts.unknown_categories, facts.unknown_themes));
  if (facts.owner) return DuplicateActorError(*facts.owner);
  return absl::OkStatus();
}

// The errors of an actor that ActorStore::InsertChecked or UpdateChecked did not write.
absl::Status NotWritten(Actor& actor, absl::string_view prefix, const ActorFacts& facts) {
  absl::Status status = ReportFacts(actor, prefix, facts);
  if (status.ok()) return absl::InternalError("the actor was not written and no check failed");
  return status;
}

bool OwnFieldsValid(const Actor& actor, absl::string_view prefix) {
  FieldViolations violations;
  CheckActorFields(actor, prefix, violations);
  return violations.empty();
}

}  // namespace

absl::Status CheckActorAgainstDirectory(pqxx::work& txn, Actor& actor, int64_t self_id,
                                        absl::string_view prefix) {
  // One round trip: the identifiers do not depend on the commune's normalization.
  return ReportFacts(actor, prefix, ActorStore::ReadFacts(txn, actor, self_id));
}

absl::StatusOr<Actor> ActorRegistry::Get(const v1::GetActorRequest& request,
                                         db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, ActorId(request.name(), "name"));
  return ActorStore::Read(pool_, deadline, id);
}

absl::StatusOr<v1::BatchGetActorsResponse> ActorRegistry::BatchGet(
    const v1::BatchGetActorsRequest& request, db::Deadline deadline) {
  if (request.names_size() > kMaxBatchGet) {
    return InvalidField(kDomain, "names", "at most 1000 names");
  }
  std::vector<int64_t> ids;
  for (int i = 0; i < request.names_size(); ++i) {
    MAILLAGE_ASSIGN_OR_RETURN(int64_t id,
                              ActorId(request.names(i), absl::StrCat("names[", i, "]")));
    ids.push_back(id);
  }
  return pool_.ReadOnly<v1::BatchGetActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::BatchGetActorsResponse> {
        std::map<int64_t, Actor> found = ActorStore::GetMany(txn, ids);
        v1::BatchGetActorsResponse response;
        for (int64_t id : ids) {
          auto it = found.find(id);
          if (it == found.end()) {
            std::string name = api::ResourceName("actors", id);
            return NotFound(kDomain, "ACTOR_NOT_FOUND",
                            absl::StrCat("actor ", name, " does not exist"), {{"name", name}});
          }
          *response.add_actors() = it->second;
        }
        return response;
      });
}

absl::StatusOr<v1::ListActorsResponse> ActorRegistry::List(const v1::ListActorsRequest& request,
                                                           db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListPage page,
      api::ReadListPage(request.page_size(), request.page_token(),
                        {"actors", request.filter(), request.order_by()}, kDomain));
  if (!page.cursor.empty()) MAILLAGE_RETURN_IF_ERROR(api::CheckKeysetCursor(page.cursor, kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where,
                            CompileActorFilter(request.filter(), "ACTOR_STATE_ACTIVE"));
  MAILLAGE_ASSIGN_OR_RETURN(
      api::OrderBy order,
      api::ParseOrderBy(request.order_by(), ActorStore::SortSchema(), "display_name", kDomain));
  api::KeysetClause keyset =
      api::MakeKeysetClause(order, "a.id", page.cursor, static_cast<int>(where.params.size()) + 1);
  std::vector<std::string> params = where.params;
  params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  return pool_.ReadOnly<v1::ListActorsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListActorsResponse> {
        ActorPage rows = ActorStore::List(txn, where.sql, keyset.where, keyset.order_by,
                                          order.sort.sql, params, page.size + 1);
        v1::ListActorsResponse response;
        for (int i = 0; i < static_cast<int>(rows.actors.size()) && i < page.size; ++i) {
          *response.add_actors() = rows.actors[i];
        }
        if (static_cast<int>(rows.actors.size()) > page.size) {
          const Actor& last = rows.actors[page.size - 1];
          response.set_next_page_token(api::EncodePageToken(
              page.fingerprint,
              api::PageCursor{{rows.sort_keys[page.size - 1],
                               last.name().substr(std::string("actors/").size())}}));
        }
        response.set_total_size(
            static_cast<int32_t>(ActorStore::Count(txn, where.sql, where.params)));
        return response;
      });
}

absl::StatusOr<v1::SearchActorsResponse> ActorRegistry::Search(
    const v1::SearchActorsRequest& request, db::Deadline deadline) {
  return SearchActors(pool_, deadline, request);
}

absl::StatusOr<Actor> ActorRegistry::Create(const v1::CreateActorRequest& request,
                                            db::Deadline deadline) {
  return pool_.Transact<Actor>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Actor> {
    return db::RunIdempotent<Actor>(
        txn, request.request_id(), "CreateActor", request, kDomain, [&]() -> absl::StatusOr<Actor> {
          Actor actor = request.actor();
          NormalizeActor(actor);
          if (!OwnFieldsValid(actor, "actor.")) {
            // Every violation at once, those against the directory too.
            return NotWritten(actor, "actor.", ActorStore::ReadFacts(txn, actor, 0));
          }
          // The checks against the directory and the insert in one round trip.
          CheckedWrite write = ActorStore::InsertChecked(txn, actor);
          if (!write.stored) return NotWritten(actor, "actor.", write.facts);
          Actor created = std::move(*write.stored);
          AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_ACTOR,
                       created.name(), &created);
          return created;
        });
  });
}

absl::StatusOr<Actor> ActorRegistry::Update(const v1::UpdateActorRequest& request,
                                            db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, ActorId(request.actor().name(), "actor.name"));
  return pool_.Transact<Actor>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Actor> {
    MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, id, /*for_update=*/true));
    if (current.state() == v1::ACTOR_STATE_MERGED) return MergedError(current);
    MAILLAGE_RETURN_IF_ERROR(
        api::CheckEtag(request.actor().etag(), current.etag(), current.name(), kDomain));
    MAILLAGE_ASSIGN_OR_RETURN(Actor updated, api::ApplyUpdateMask(current, request.actor(),
                                                                  request.update_mask(), kDomain));
    NormalizeActor(updated);
    Actor stored;
    // When a field other than the commune changes and every field is valid, the checks against
    // the directory and the update in one round trip; otherwise the checks first (every
    // violation at once; the commune's current code may make the update a no-op).
    Actor same_commune = updated;
    same_commune.mutable_address()->set_commune_insee_code(current.address().commune_insee_code());
    if (!SameWritableFields(same_commune, current) && OwnFieldsValid(updated, "actor.")) {
      CheckedWrite write = ActorStore::UpdateChecked(txn, id, updated);
      if (!write.stored) return NotWritten(updated, "actor.", write.facts);
      stored = std::move(*write.stored);
    } else {
      MAILLAGE_RETURN_IF_ERROR(CheckActorAgainstDirectory(txn, updated, id, "actor."));
      if (SameWritableFields(updated, current)) return current;
      stored = ActorStore::Update(txn, id, updated);
    }
    AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, stored.name(),
                 &stored);
    return stored;
  });
}

absl::StatusOr<v1::DeleteActorResponse> ActorRegistry::Delete(const v1::DeleteActorRequest& request,
                                                              db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, ActorId(request.name(), "name"));
  return pool_.Transact<v1::DeleteActorResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::DeleteActorResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, id, true));
        if (current.state() == v1::ACTOR_STATE_MERGED) return MergedError(current);
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        v1::DeleteActorResponse response;
        if (ActorStore::DeleteUnlessReferenced(txn, id)) {
          AppendChange(txn, v1::CHANGE_KIND_DELETED, v1::CHANGED_RESOURCE_TYPE_ACTOR,
                       current.name(), nullptr);
          response.set_outcome(v1::DELETE_ACTOR_OUTCOME_DELETED);
          return response;
        }
        // Referenced: archived instead.
        response.set_outcome(v1::DELETE_ACTOR_OUTCOME_ARCHIVED);
        if (current.state() == v1::ACTOR_STATE_ARCHIVED) {
          *response.mutable_actor() = current;
          return response;
        }
        Actor archived = ActorStore::SetState(txn, id, v1::ACTOR_STATE_ARCHIVED);
        AppendChange(txn, v1::CHANGE_KIND_ARCHIVED, v1::CHANGED_RESOURCE_TYPE_ACTOR,
                     archived.name(), &archived);
        *response.mutable_actor() = archived;
        return response;
      });
}

absl::StatusOr<Actor> ActorRegistry::ChangeState(db::Deadline deadline, const std::string& name,
                                                 const std::string& etag, v1::ActorState target) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, ActorId(name, "name"));
  return pool_.Transact<Actor>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Actor> {
    MAILLAGE_ASSIGN_OR_RETURN(Actor current, ActorStore::Get(txn, id, true));
    if (current.state() == v1::ACTOR_STATE_MERGED) return MergedError(current);
    MAILLAGE_RETURN_IF_ERROR(api::CheckEtag(etag, current.etag(), current.name(), kDomain));
    if (current.state() == target) return current;
    Actor changed = ActorStore::SetState(txn, id, target);
    AppendChange(
        txn,
        target == v1::ACTOR_STATE_ARCHIVED ? v1::CHANGE_KIND_ARCHIVED : v1::CHANGE_KIND_UNARCHIVED,
        v1::CHANGED_RESOURCE_TYPE_ACTOR, changed.name(), &changed);
    return changed;
  });
}

absl::StatusOr<Actor> ActorRegistry::Archive(const v1::ArchiveActorRequest& request,
                                             db::Deadline deadline) {
  return ChangeState(deadline, request.name(), request.etag(), v1::ACTOR_STATE_ARCHIVED);
}

absl::StatusOr<Actor> ActorRegistry::Unarchive(const v1::UnarchiveActorRequest& request,
                                               db::Deadline deadline) {
  return ChangeState(deadline, request.name(), request.etag(), v1::ACTOR_STATE_ACTIVE);
}

absl::Status ActorRegistry::Export(const v1::ExportActorsRequest& request, db::Deadline deadline,
                                   const std::function<bool(const google::api::HttpBody&)>& write) {
  const ActorDocumentFormat* json = FindActorDocumentFormat(request.format());
  // Points are small: a chunk of 5000 is about 500 KiB.
  const int kRowsPerChunk = json && json->points_only ? 5000 : 500;
  if (!json && request.format() != v1::EXPORT_FORMAT_CSV) {
    return InvalidField(kDomain, "format",
                        "CSV, GEOJSON, GEOJSON_POINTS, DATA_INCLUSION, JSON_LD or GOGOCARTO");
  }
  // French spreadsheets: semicolons unless asked otherwise, and a byte-order mark so that
  // Excel reads the file as UTF-8 (ImportActors skips it).
  char separator = request.separator() == v1::CSV_SEPARATOR_COMMA ? ',' : ';';
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where,
                            CompileActorFilter(request.filter(), "ACTOR_STATE_ACTIVE"));
  google::api::HttpBody chunk;
  chunk.set_content_type(json ? json->content_type : "text/csv; charset=utf-8");
  std::string* data = chunk.mutable_data();
  *data = json ? json->header
               : absl::StrCat("\xEF\xBB\xBF", csv::CsvLine(ActorCsvColumns(), separator));
  int64_t after = 0;
  bool first_item = true;
  for (;;) {
    MAILLAGE_ASSIGN_OR_RETURN(
        std::vector<Actor> actors,
        pool_.ReadOnly<std::vector<Actor>>(deadline, [&](pqxx::work& txn) {
          if (json && json->points_only) {
            return absl::StatusOr<std::vector<Actor>>(
                ActorStore::PointsAfterId(txn, where.sql, where.params, after, kRowsPerChunk));
          }
          return absl::StatusOr<std::vector<Actor>>(
              ActorStore::ListAfterId(txn, where.sql, where.params, after, kRowsPerChunk,
                                      /*with_coordinates=*/json && json->needs_coordinates));
        }));
    for (const Actor& actor : actors) {
      if (!json) {
        *data += csv::CsvLine(ActorCsvCells(actor), separator);
        continue;
      }
      std::optional<std::string> item = json->item(actor);
      if (!item) continue;
      if (!first_item) *data += json->separator;
      first_item = false;
      *data += *item;
    }
    bool last = static_cast<int>(actors.size()) < kRowsPerChunk;
    if (last && json) *data += json->footer;
    if (!data->empty() || !chunk.content_type().empty()) {
      if (!write(chunk)) return absl::CancelledError("the client went away");
    }
    chunk.Clear();
    data = chunk.mutable_data();
    if (last) return absl::OkStatus();
    after = *api::ParseResourceId(actors.back().name(), "actors", "name", kDomain);
  }
}

absl::StatusOr<v1::ListChangesResponse> ActorRegistry::ListChanges(
    const v1::ListChangesRequest& request, db::Deadline deadline) {
  return pool_.ReadOnly<v1::ListChangesResponse>(
      deadline, [&](pqxx::work& txn) { return directory::ListChanges(txn, request); });
}

absl::StatusOr<v1::ListNetworkCategoriesResponse> ActorRegistry::ListNetworkCategories(
    const v1::ListNetworkCategoriesRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListPage page,
      api::ReadListPage(request.page_size(), request.page_token(), {"categories"}, kDomain));
  int64_t after = 0;
  if (!page.cursor.empty() &&
      (page.cursor.keys.size() != 1 || !absl::SimpleAtoi(page.cursor.keys[0], &after))) {
    return InvalidField(kDomain, "page_token",
                        "not a page token returned by ListNetworkCategories");
  }
  return pool_.ReadOnly<v1::ListNetworkCategoriesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListNetworkCategoriesResponse> {
        ReferencePage<v1::NetworkCategory> rows =
            ReferenceStore::NetworkCategories(txn, after, page.size + 1);
        v1::ListNetworkCategoriesResponse response;
        for (int i = 0; i < static_cast<int>(rows.entries.size()) && i < page.size; ++i) {
          *response.add_network_categories() = rows.entries[i];
        }
        if (static_cast<int>(rows.entries.size()) > page.size) {
          response.set_next_page_token(
              api::EncodePageToken(page.fingerprint, {rows.keys[page.size - 1]}));
        }
        return response;
      });
}

absl::StatusOr<v1::ListThemesResponse> ActorRegistry::ListThemes(
    const v1::ListThemesRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListPage page,
      api::ReadListPage(request.page_size(), request.page_token(), {"themes"}, kDomain));
  if (!page.cursor.empty() && page.cursor.keys.size() != 2) {
    return InvalidField(kDomain, "page_token", "not a page token returned by ListThemes");
  }
  return pool_.ReadOnly<v1::ListThemesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListThemesResponse> {
        ReferencePage<v1::Theme> rows =
            ReferenceStore::Themes(txn, page.cursor.keys, page.size + 1);
        v1::ListThemesResponse response;
        for (int i = 0; i < static_cast<int>(rows.entries.size()) && i < page.size; ++i) {
          *response.add_themes() = rows.entries[i];
        }
        if (static_cast<int>(rows.entries.size()) > page.size) {
          response.set_next_page_token(
              api::EncodePageToken(page.fingerprint, {rows.keys[page.size - 1]}));
        }
        return response;
      });
}

absl::StatusOr<v1::ListCommunesResponse> ActorRegistry::ListCommunes(
    const v1::ListCommunesRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListPage page,
      api::ReadListPage(request.page_size(), request.page_token(), {"communes"}, kDomain));
  std::string after = page.cursor.empty() ? "" : page.cursor.keys[0];
  return pool_.ReadOnly<v1::ListCommunesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListCommunesResponse> {
        ReferencePage<v1::Commune> rows = ReferenceStore::Communes(txn, after, page.size + 1);
        v1::ListCommunesResponse response;
        for (int i = 0; i < static_cast<int>(rows.entries.size()) && i < page.size; ++i) {
          *response.add_communes() = rows.entries[i];
        }
        if (static_cast<int>(rows.entries.size()) > page.size) {
          response.set_next_page_token(
              api::EncodePageToken(page.fingerprint, {rows.keys[page.size - 1]}));
        }
        return response;
      });
}

}  // namespace maillage::directory

// Duplicates and merges of actors (see actor_merger.h).
#include "services/directory/actor_merger.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/contact_registry.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr double kDefaultMinScore = 0.5;

// Candidate pairs (first_id < second_id) with their strongest rule and score. $1 is the
// minimum score; the filter's parameters follow; the keyset's come last.
constexpr char kPairs[] =
    "WITH pairs AS ("
    " SELECT x.id AS first_id, y.id AS second_id,"
    "  similarity(directory_fold(x.display_name), directory_fold(y.display_name))::float8"
    "   AS name_score,"
    "  (x.siren <> '' AND x.siren = y.siren) AS same_siren,"
    "  (x.website <> '' AND lower(x.website) = lower(y.website)) AS same_website,"
    "  (x.email <> '' AND lower(x.email) = lower(y.email)) AS same_email,"
    "  (x.insee_code <> '' AND x.insee_code = y.insee_code) AS same_commune,"
    "  (x.insee_code = '' OR y.insee_code = '') AS missing_commune,"
    "  x.insee_code AS commune, x.siren AS siren, x.website AS website, x.email AS email"
    " FROM actors x JOIN actors y ON x.id < y.id"
    " WHERE x.state <> 'ACTOR_STATE_MERGED' AND y.state <> 'ACTOR_STATE_MERGED'"
    "  AND ((x.siren <> '' AND x.siren = y.siren)"
    "   OR directory_fold(x.display_name) % directory_fold(y.display_name)"
    "   OR (x.website <> '' AND lower(x.website) = lower(y.website))"
    "   OR (x.email <> '' AND lower(x.email) = lower(y.email)))"
    "), scored AS ("
    " SELECT p.*, r.rule, r.score FROM pairs p CROSS JOIN LATERAL ("
    "  SELECT rule, score FROM (VALUES"
    "   ('DUPLICATE_RULE_SAME_SIREN', CASE WHEN p.same_siren THEN 0.95::float8 END),"
    "   ('DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE',"
    "    CASE WHEN p.same_commune THEN p.name_score END),"
    "   ('DUPLICATE_RULE_SIMILAR_NAME',"
    "    CASE WHEN p.missing_commune THEN p.name_score * 0.9 END),"
    "   ('DUPLICATE_RULE_SAME_WEBSITE', CASE WHEN p.same_website THEN 0.85::float8 END),"
    "   ('DUPLICATE_RULE_SAME_EMAIL', CASE WHEN p.same_email THEN 0.8::float8 END)"
    "  ) v(rule, score) WHERE score IS NOT NULL ORDER BY score DESC LIMIT 1) r"
    ") SELECT first_id, second_id, rule, score, score::text, name_score, commune, siren, "
    "website, email FROM scored s WHERE s.score >= $1::float8 AND EXISTS (SELECT 1 FROM actors "
    "a WHERE a.id IN (s.first_id, s.second_id) AND ";

std::string Explanation(v1::DuplicateRule rule, const pqxx::row& row) {
  double name_score = row[5].as<double>();
  switch (rule) {
    case v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE:
      return absl::StrFormat("noms proches (%.2f) dans la même commune %s", name_score,
                             row[6].as<std::string>());
    case v1::DUPLICATE_RULE_SIMILAR_NAME:
      return absl::StrFormat("noms proches (%.2f), commune inconnue pour l'un des deux",
                             name_score);
    case v1::DUPLICATE_RULE_SAME_SIREN:
      return absl::StrCat("même SIREN ", row[7].as<std::string>());
    case v1::DUPLICATE_RULE_SAME_WEBSITE:
      return absl::StrCat("même site web ", row[8].as<std::string>());
    case v1::DUPLICATE_RULE_SAME_EMAIL:
      return absl::StrCat("même adresse e-mail ", row[9].as<std::string>());
    default:
      return "";
  }
}

absl::Status ConflictOn(const char* field, const std::string& a, const std::string& b) {
  if (a.empty() || b.empty() || a == b) return absl::OkStatus();
  return FailedPrecondition(kDomain, "IDENTIFIER_CONFLICT",
                            absl::StrCat("the two actors have different ", field, " (", a, ", ", b,
                                         "); clear one with UpdateActor first"),
                            {{"field", field}});
}

// Fills the fields empty on `survivor` from `other` and unites the lists.
void FillFrom(Actor& survivor, const Actor& other) {
  auto fill = [](std::string* target, const std::string& source) {
    if (target->empty()) *target = source;
  };
  fill(survivor.mutable_legal_name(), other.legal_name());
  fill(survivor.mutable_description(), other.description());
  fill(survivor.mutable_website(), other.website());
  fill(survivor.mutable_email(), other.email());
  fill(survivor.mutable_phone(), other.phone());
  fill(survivor.mutable_siren(), other.siren());
  fill(survivor.mutable_siret(), other.siret());
  fill(survivor.mutable_rna(), other.rna());
  fill(survivor.mutable_legal_category_code(), other.legal_category_code());
  fill(survivor.mutable_naf_code(), other.naf_code());
  if (!survivor.has_address() && other.has_address()) {
    *survivor.mutable_address() = other.address();
  }
  if (!survivor.has_coordinates() && other.has_coordinates()) {
    *survivor.mutable_coordinates() = other.coordinates();
  }
  if (survivor.ess_family() == v1::ESS_FAMILY_UNSPECIFIED) {
    survivor.set_ess_family(other.ess_family());
  }
  for (const std::string& code : other.network_categories()) {
    if (std::find(survivor.network_categories().begin(), survivor.network_categories().end(),
                  code) == survivor.network_categories().end()) {
      survivor.add_network_categories(code);
    }
  }
  for (const std::string& code : other.themes()) {
    if (std::find(survivor.themes().begin(), survivor.themes().end(), code) ==
        survivor.themes().end()) {
      survivor.add_themes(code);
    }
  }
  if (!survivor.labels().has_esus_agrement() && other.labels().has_esus_agrement()) {
    *survivor.mutable_labels()->mutable_esus_agrement() = other.labels().esus_agrement();
  }
  for (int type : other.labels().siae_types()) {
    const auto& types = survivor.labels().siae_types();
    if (std::find(types.begin(), types.end(), type) == types.end()) {
      survivor.mutable_labels()->add_siae_types(static_cast<v1::SiaeType>(type));
    }
  }
}

constexpr char kMergeOther[] =
    "UPDATE actors SET state = 'ACTOR_STATE_MERGED', merged_into = $2, archive_time = now(), "
    "update_time = now(), revision = revision + 1 WHERE id = $1";
constexpr char kContactsOf[] = "SELECT id FROM contacts WHERE actor_id = $1 ORDER BY id";
constexpr char kMoveContact[] =
    "UPDATE contacts SET actor_id = $2, update_time = now(), revision = revision + 1 "
    "WHERE id = $1";
constexpr char kRelationshipsOf[] =
    "SELECT id, actor_id, other_actor_id, type, start_date::text, end_date::text "
    "FROM relationships WHERE actor_id = $1 OR other_actor_id = $1 ORDER BY id";
constexpr char kSameRelationship[] =
    "SELECT id, actor_id FROM relationships WHERE actor_id = $1 AND other_actor_id = $2 AND "
    "type = $3 AND start_date IS NOT DISTINCT FROM NULLIF($4, '')::date AND "
    "end_date IS NOT DISTINCT FROM NULLIF($5, '')::date AND id <> $6 LIMIT 1";
constexpr char kMoveRelationship[] =
    "UPDATE relationships SET actor_id = $2, other_actor_id = $3, update_time = now(), "
    "revision = revision + 1 WHERE id = $1";

std::string RelationshipName(int64_t actor_id, int64_t id) {
  return absl::StrCat("actors/", actor_id, "/relationships/", id);
}

}  // namespace

absl::StatusOr<v1::FindDuplicatesResponse> ActorMerger::FindDuplicates(
    db::Deadline deadline, const v1::FindDuplicatesRequest& request) {
  double min_score = request.min_score() == 0 ? kDefaultMinScore : request.min_score();
  if (!(min_score > 0 && min_score <= 1)) {
    return InvalidField(kDomain, "min_score", "between 0 and 1");
  }
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListPage page,
      api::ReadListPage(request.page_size(), request.page_token(),
                        {"duplicates", request.filter(), absl::StrCat(min_score)}, kDomain));
  if (!page.cursor.empty() && page.cursor.keys.size() != 3) {
    return InvalidField(kDomain, "page_token", "not a page token returned by FindDuplicates");
  }
  // The filter is compiled with parameters from $2 ($1 is the minimum score).
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where, CompileActorFilter(request.filter(), ""));
  std::vector<std::string> params = {absl::StrFormat("%.17g", min_score)};
  std::string filter_sql = where.sql;
  for (int i = static_cast<int>(where.params.size()); i >= 1; --i) {
    // Renumber $i → $(i + 1), highest first so that $1 and $10 do not collide.
    std::string from = absl::StrCat("$", i), to = absl::StrCat("$", i + 1);
    for (size_t at = filter_sql.find(from); at != std::string::npos;
         at = filter_sql.find(from, at + to.size())) {
      size_t end = at + from.size();
      if (end < filter_sql.size() && absl::ascii_isdigit(filter_sql[end])) continue;
      filter_sql.replace(at, from.size(), to);
    }
  }
  params.insert(params.end(), where.params.begin(), where.params.end());
  std::string keyset = "TRUE";
  if (!page.cursor.empty()) {
    params.insert(params.end(), page.cursor.keys.begin(), page.cursor.keys.end());
    int n = static_cast<int>(params.size());
    keyset = absl::StrCat("(s.score < $", n - 2, "::float8 OR (s.score = $", n - 2,
                          "::float8 AND (s.first_id, s.second_id) > ($", n - 1, "::bigint, $", n,
                          "::bigint)))");
  }
  std::string sql =
      absl::StrCat(kPairs, filter_sql, ") AND ", keyset,
                   " ORDER BY s.score DESC, s.first_id, s.second_id LIMIT ", page.size + 1);
  return pool_.ReadOnly<v1::FindDuplicatesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::FindDuplicatesResponse> {
        pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
        v1::FindDuplicatesResponse response;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < page.size; ++i) {
          const pqxx::row& row = rows[i];
          v1::DuplicateCandidate* candidate = response.add_candidates();
          MAILLAGE_ASSIGN_OR_RETURN(*candidate->mutable_actor(),
                                    ActorStore::Get(txn, row[0].as<int64_t>()));
          MAILLAGE_ASSIGN_OR_RETURN(*candidate->mutable_other_actor(),
                                    ActorStore::Get(txn, row[1].as<int64_t>()));
          v1::DuplicateRule rule = v1::DUPLICATE_RULE_UNSPECIFIED;
          v1::DuplicateRule_Parse(row[2].as<std::string>(), &rule);
          candidate->set_rule(rule);
          candidate->set_score(std::min(1.0, row[3].as<double>()));
          candidate->set_explanation(Explanation(rule, row));
        }
        if (static_cast<int>(rows.size()) > page.size) {
          const pqxx::row& last = rows[page.size - 1];
          response.set_next_page_token(api::EncodePageToken(
              page.fingerprint,
              {{last[4].as<std::string>(), last[0].as<std::string>(), last[1].as<std::string>()}}));
        }
        return response;
      });
}

absl::StatusOr<Actor> ActorMerger::Merge(db::Deadline deadline,
                                         const v1::MergeActorsRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t survivor_id,
                            api::ParseResourceId(request.name(), "actors", "name", kDomain));
  MAILLAGE_ASSIGN_OR_RETURN(int64_t other_id, api::ParseResourceId(request.other_actor(), "actors",
                                                                   "other_actor", kDomain));
  if (survivor_id == other_id) {
    return InvalidField(kDomain, "other_actor", "an actor cannot be merged into itself");
  }
  return pool_.Transact<Actor>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<Actor> {
    return db::RunIdempotent<Actor>(
        txn, request.request_id(), "MergeActors", request, kDomain, [&]() -> absl::StatusOr<Actor> {
          // Lock both rows in id order, so that two opposite merges cannot deadlock.
          txn.exec_params("SELECT id FROM actors WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
                          survivor_id, other_id);
          MAILLAGE_ASSIGN_OR_RETURN(Actor survivor, ActorStore::Get(txn, survivor_id));
          MAILLAGE_ASSIGN_OR_RETURN(Actor other, ActorStore::Get(txn, other_id));
          for (const Actor* actor : {&survivor, &other}) {
            if (actor->state() == v1::ACTOR_STATE_MERGED) {
              return FailedPrecondition(
                  kDomain, "ACTOR_MERGED",
                  absl::StrCat("actor ", actor->name(), " is already merged into ",
                               actor->merged_into()),
                  {{"name", actor->name()}});
            }
          }
          MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.etag(), survivor.etag(), survivor.name()));
          MAILLAGE_RETURN_IF_ERROR(CheckEtag(request.other_etag(), other.etag(), other.name()));
          MAILLAGE_RETURN_IF_ERROR(ConflictOn("siret", survivor.siret(), other.siret()));
          MAILLAGE_RETURN_IF_ERROR(ConflictOn("siren", survivor.siren(), other.siren()));
          MAILLAGE_RETURN_IF_ERROR(ConflictOn("rna", survivor.rna(), other.rna()));

          // The other actor becomes a redirect first, so that its identifiers are free.
          txn.exec_params(kMergeOther, other_id, survivor_id);
          MAILLAGE_ASSIGN_OR_RETURN(Actor redirect, ActorStore::Get(txn, other_id));
          Actor filled = survivor;
          FillFrom(filled, other);
          Actor stored = ActorStore::Update(txn, survivor_id, filled);

          // Changes of the moved contacts and relationships; `id` is the row that now holds
          // the resource (0 when it was dropped).
          struct Moved {
            v1::ChangeKind kind;
            v1::ChangedResourceType type;
            std::string name, merged_into;
            int64_t id;
          };
          std::vector<Moved> moved;
          for (const auto& row : txn.exec_params(kContactsOf, other_id)) {
            int64_t id = row[0].as<int64_t>();
            txn.exec_params(kMoveContact, id, survivor_id);
            moved.push_back({v1::CHANGE_KIND_MERGED, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                             absl::StrCat(other.name(), "/contacts/", id),
                             absl::StrCat(survivor.name(), "/contacts/", id), id});
          }
          for (const auto& row : txn.exec_params(kRelationshipsOf, other_id)) {
            int64_t id = row[0].as<int64_t>(), from = row[1].as<int64_t>(),
                    to = row[2].as<int64_t>();
            std::string old_name = RelationshipName(from, id);
            int64_t new_from = from == other_id ? survivor_id : from;
            int64_t new_to = to == other_id ? survivor_id : to;
            if (new_from == new_to) {  // a link between the two merged actors: dropped
              txn.exec_params("DELETE FROM relationships WHERE id = $1", id);
              moved.push_back({v1::CHANGE_KIND_DELETED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                               old_name, "", 0});
              continue;
            }
            pqxx::result same =
                txn.exec_params(kSameRelationship, new_from, new_to, row[3].as<std::string>(),
                                row[4].is_null() ? std::string() : row[4].as<std::string>(),
                                row[5].is_null() ? std::string() : row[5].as<std::string>(), id);
            std::string new_name = RelationshipName(new_from, id);
            int64_t holder = id;
            if (!same.empty()) {  // identical to one the survivor has: kept once
              txn.exec_params("DELETE FROM relationships WHERE id = $1", id);
              holder = same[0][0].as<int64_t>();
              new_name = RelationshipName(same[0][1].as<int64_t>(), holder);
            } else {
              txn.exec_params(kMoveRelationship, id, new_from, new_to);
            }
            moved.push_back(
                {new_name == old_name ? v1::CHANGE_KIND_UPDATED : v1::CHANGE_KIND_MERGED,
                 v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP, old_name,
                 new_name == old_name ? "" : new_name, holder});
          }
          AppendChange(txn, v1::CHANGE_KIND_MERGED, v1::CHANGED_RESOURCE_TYPE_ACTOR,
                       redirect.name(), &redirect, survivor.name());
          for (const Moved& m : moved) {
            absl::optional<v1::Contact> contact;
            absl::optional<v1::Relationship> relationship;
            const google::protobuf::Message* snapshot = nullptr;
            if (m.id != 0 && m.type == v1::CHANGED_RESOURCE_TYPE_CONTACT) {
              contact = ContactById(txn, m.id);
              if (contact) snapshot = &*contact;
            } else if (m.id != 0) {
              relationship = RelationshipById(txn, m.id);
              if (relationship) snapshot = &*relationship;
            }
            AppendChange(txn, m.kind, m.type, m.name, snapshot, m.merged_into);
          }
          AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_ACTOR, stored.name(),
                       &stored);
          return stored;
        });
  });
}

}  // namespace maillage::directory

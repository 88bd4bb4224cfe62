// Duplicates and merges of actors (see actor_merger.h).
#include "services/directory/actor_merger.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/api/etag.h"
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
#include "services/directory/contact_store.h"
#include "services/directory/merge_store.h"
#include "services/directory/relationship_store.h"

namespace maillage::directory {
namespace {

using v1::Actor;

constexpr double kDefaultMinScore = 0.5;

// "même site web recyclade.fr (« https://www.recyclade.fr/ » et « http://recyclade.fr »)":
// the key the two were compared by, and how each is written when they differ.
std::string SameValue(absl::string_view what, const std::string& key, const std::string& first,
                      const std::string& second) {
  if (first == second) return absl::StrCat(what, " ", first);
  return absl::StrCat(what, " ", key, " (« ", first, " » et « ", second, " »)");
}

std::string Explanation(v1::DuplicateRule rule, const DuplicatePair& pair) {
  switch (rule) {
    case v1::DUPLICATE_RULE_SIMILAR_NAME_SAME_COMMUNE:
      return pair.commune_name.empty()
                 ? absl::StrFormat("noms proches (%.2f) dans la même commune %s", pair.name_score,
                                   pair.commune)
                 : absl::StrFormat("noms proches (%.2f) dans la même commune, %s (%s)",
                                   pair.name_score, pair.commune_name, pair.commune);
    case v1::DUPLICATE_RULE_SIMILAR_NAME:
      return absl::StrFormat("noms proches (%.2f), commune inconnue pour l'un des deux",
                             pair.name_score);
    case v1::DUPLICATE_RULE_SAME_SIREN:
      return absl::StrCat("même SIREN ", pair.siren);
    case v1::DUPLICATE_RULE_SAME_WEBSITE:
      return SameValue("même site web", pair.website_key, pair.website, pair.other_website);
    case v1::DUPLICATE_RULE_SAME_EMAIL:
      return SameValue("même adresse e-mail", pair.email_key, pair.email, pair.other_email);
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

std::string RelationshipName(int64_t actor_id, int64_t id) {
  return absl::StrCat("actors/", actor_id, "/relationships/", id);
}

}  // namespace

absl::StatusOr<v1::FindDuplicatesResponse> ActorMerger::FindDuplicates(
    const v1::FindDuplicatesRequest& request, db::Deadline deadline) {
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
  MAILLAGE_ASSIGN_OR_RETURN(api::SqlCondition where,
                            CompileActorFilter(request.filter(), "", /*first_param=*/2));
  std::vector<std::string> params = {absl::StrFormat("%.17g", min_score)};
  params.insert(params.end(), where.params.begin(), where.params.end());
  params.insert(params.end(), page.cursor.keys.begin(), page.cursor.keys.end());
  return pool_.ReadOnly<v1::FindDuplicatesResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::FindDuplicatesResponse> {
        std::vector<DuplicatePair> pairs =
            MergeStore::FindPairs(txn, where.sql, params, !page.cursor.empty(), page.size + 1);
        v1::FindDuplicatesResponse response;
        for (int i = 0; i < static_cast<int>(pairs.size()) && i < page.size; ++i) {
          const DuplicatePair& pair = pairs[i];
          v1::DuplicateCandidate* candidate = response.add_candidates();
          MAILLAGE_ASSIGN_OR_RETURN(*candidate->mutable_actor(),
                                    ActorStore::Get(txn, pair.first_id));
          MAILLAGE_ASSIGN_OR_RETURN(*candidate->mutable_other_actor(),
                                    ActorStore::Get(txn, pair.second_id));
          v1::DuplicateRule rule = v1::DUPLICATE_RULE_UNSPECIFIED;
          v1::DuplicateRule_Parse(pair.rule, &rule);
          candidate->set_rule(rule);
          candidate->set_score(std::min(1.0, pair.score));
          candidate->set_explanation(Explanation(rule, pair));
        }
        if (static_cast<int>(pairs.size()) > page.size) {
          const DuplicatePair& last = pairs[page.size - 1];
          response.set_next_page_token(api::EncodePageToken(
              page.fingerprint,
              {{last.score_text, absl::StrCat(last.first_id), absl::StrCat(last.second_id)}}));
        }
        return response;
      });
}

absl::StatusOr<Actor> ActorMerger::Merge(const v1::MergeActorsRequest& request,
                                         db::Deadline deadline) {
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
          MergeStore::LockPair(txn, survivor_id, other_id);
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
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.etag(), survivor.etag(), survivor.name(), kDomain));
          MAILLAGE_RETURN_IF_ERROR(
              api::CheckEtag(request.other_etag(), other.etag(), other.name(), kDomain));
          MAILLAGE_RETURN_IF_ERROR(ConflictOn("siret", survivor.siret(), other.siret()));
          MAILLAGE_RETURN_IF_ERROR(ConflictOn("siren", survivor.siren(), other.siren()));
          MAILLAGE_RETURN_IF_ERROR(ConflictOn("rna", survivor.rna(), other.rna()));

          // The other actor becomes a redirect first, so that its identifiers are free.
          MergeStore::MarkMerged(txn, other_id, survivor_id);
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
          for (int64_t id : MergeStore::ContactIdsOf(txn, other_id)) {
            MergeStore::MoveContact(txn, id, survivor_id);
            moved.push_back({v1::CHANGE_KIND_MERGED, v1::CHANGED_RESOURCE_TYPE_CONTACT,
                             absl::StrCat(other.name(), "/contacts/", id),
                             absl::StrCat(survivor.name(), "/contacts/", id), id});
          }
          for (const MergedRelationship& r : MergeStore::RelationshipsOf(txn, other_id)) {
            std::string old_name = RelationshipName(r.actor_id, r.id);
            int64_t new_from = r.actor_id == other_id ? survivor_id : r.actor_id;
            int64_t new_to = r.other_actor_id == other_id ? survivor_id : r.other_actor_id;
            if (new_from == new_to) {  // a link between the two merged actors: dropped
              MergeStore::DeleteRelationship(txn, r.id);
              moved.push_back({v1::CHANGE_KIND_DELETED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                               old_name, "", 0});
              continue;
            }
            std::string new_name = RelationshipName(new_from, r.id);
            int64_t holder = r.id;
            if (auto same = MergeStore::SameRelationship(txn, r, new_from, new_to)) {
              // Identical to one the survivor has: kept once.
              MergeStore::DeleteRelationship(txn, r.id);
              holder = same->first;
              new_name = RelationshipName(same->second, holder);
            } else {
              MergeStore::MoveRelationship(txn, r.id, new_from, new_to);
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
              contact = ContactStore::ById(txn, m.id);
              if (contact) snapshot = &*contact;
            } else if (m.id != 0) {
              relationship = RelationshipStore::ById(txn, m.id);
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

// Relationships between actors (see relationship_registry.h).
#include "services/directory/relationship_registry.h"

#include "absl/strings/str_cat.h"
#include "common/api/etag.h"
#include "common/api/filter.h"
#include "common/api/list_query.h"
#include "common/api/resource_name.h"
#include "common/api/update_mask.h"
#include "common/db/idempotency.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/directory/actor_children.h"
#include "services/directory/actor_fields.h"
#include "services/directory/actor_registry.h"
#include "services/directory/actor_store.h"
#include "services/directory/change_feed.h"
#include "services/directory/relationship_store.h"

namespace maillage::directory {
namespace {

using v1::Relationship;

constexpr int kMaxRelationshipDescription = 2000;

absl::StatusOr<std::vector<int64_t>> RelationshipIds(const std::string& name,
                                                     absl::string_view field) {
  return api::ParseResourceIds(name, {"actors", "relationships"}, field, kDomain);
}

void CheckRelationshipDates(const Relationship& r, absl::string_view prefix, FieldViolations& v) {
  if (r.has_start_date() && !IsValidDate(r.start_date())) {
    v.Add(absl::StrCat(prefix, "start_date"), "not a valid date");
  }
  if (r.has_end_date() && !IsValidDate(r.end_date())) {
    v.Add(absl::StrCat(prefix, "end_date"), "not a valid date");
  } else if (r.has_end_date() && r.has_start_date() &&
             DateKey(r.end_date()) < DateKey(r.start_date())) {
    v.Add(absl::StrCat(prefix, "end_date"), "before start_date");
  }
  CheckText(r.description(), kMaxRelationshipDescription, absl::StrCat(prefix, "description"), v);
}

}  // namespace

absl::StatusOr<Relationship> RelationshipRegistry::Get(const v1::GetRelationshipRequest& request,
                                                       db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, RelationshipIds(request.name(), "name"));
  return RelationshipStore::Read(pool_, deadline, ids[0], ids[1]);
}

absl::StatusOr<v1::ListRelationshipsResponse> RelationshipRegistry::List(
    const v1::ListRelationshipsRequest& request, db::Deadline deadline) {
  using Type = api::FilterField::Type;
  static const auto* const kFilter = new api::FilterSchema{
      {"type", {"r.type", Type::kEnum, "RELATIONSHIP_TYPE_", {"MEMBER_OF", "PARTNER_OF"}}},
      {"other_actor", {"('actors/' || r.other_actor_id)", Type::kString}},
      {"current",
       {"((r.start_date IS NULL OR r.start_date <= current_date) AND "
        "(r.end_date IS NULL OR r.end_date >= current_date))",
        Type::kBool}},
  };
  static const auto* const kSort = new api::SortSchema{
      {"create_time", {"r.create_time", "timestamptz"}},
      {"start_date", {"COALESCE(r.start_date, '0001-01-01'::date)", "date"}},
  };
  MAILLAGE_ASSIGN_OR_RETURN(
      api::ListQuery query,
      api::PrepareList({request.page_size(), request.page_token(), request.filter(),
                        request.order_by(), absl::StrCat("relationships\x1f", request.parent())},
                       {*kFilter, *kSort, "create_time", "r.id"}, kDomain, 2));
  return pool_.ReadOnly<v1::ListRelationshipsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListRelationshipsResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(int64_t parent, ListParent(txn, request.parent()));
        RelationshipPage page = RelationshipStore::List(
            txn, parent, query.where.sql, query.keyset.where, query.keyset.order_by,
            query.order.sort.sql, query.Params(), query.page_size + 1);
        v1::ListRelationshipsResponse response;
        for (int i = 0; i < static_cast<int>(page.relationships.size()) && i < query.page_size;
             ++i) {
          *response.add_relationships() = std::move(page.relationships[i]);
        }
        if (static_cast<int>(page.relationships.size()) > query.page_size) {
          const Relationship& last = response.relationships(query.page_size - 1);
          MAILLAGE_ASSIGN_OR_RETURN(auto last_ids, RelationshipIds(last.name(), "name"));
          response.set_next_page_token(api::NextPageToken(
              query, page.sort_keys[query.page_size - 1], absl::StrCat(last_ids[1])));
        }
        return response;
      });
}

absl::StatusOr<Relationship> RelationshipRegistry::Create(
    const v1::CreateRelationshipRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t actor_id,
                            api::ParseResourceId(request.parent(), "actors", "parent", kDomain));
  const Relationship& r = request.relationship();
  FieldViolations v;
  if (r.type() == v1::RELATIONSHIP_TYPE_UNSPECIFIED || !v1::RelationshipType_IsValid(r.type())) {
    v.Add("relationship.type", "required: MEMBER_OF or PARTNER_OF");
  }
  absl::StatusOr<int64_t> other_id =
      api::ParseResourceId(r.other_actor(), "actors", "relationship.other_actor", kDomain);
  if (!other_id.ok()) {
    v.Add("relationship.other_actor", "an actor name such as actors/3");
  } else if (*other_id == actor_id) {
    v.Add("relationship.other_actor", "an actor cannot be linked to itself");
  }
  CheckRelationshipDates(r, "relationship.", v);
  MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
  return pool_.Transact<Relationship>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<Relationship> {
        return db::RunIdempotent<Relationship>(
            txn, request.request_id(), "CreateRelationship", request, kDomain,
            [&]() -> absl::StatusOr<Relationship> {
              // Both actors in one round trip.
              std::map<int64_t, v1::Actor> actors = ActorStore::GetMany(txn, {actor_id, *other_id});
              auto parent = actors.find(actor_id);
              MAILLAGE_RETURN_IF_ERROR(CheckWritableParent(
                  parent == actors.end() ? ActorStore::NotFoundError(actor_id)
                                         : absl::StatusOr<v1::Actor>(parent->second)));
              auto other = actors.find(*other_id);
              const bool found = other != actors.end();
              if (!found || other->second.state() == v1::ACTOR_STATE_MERGED) {
                return FailedPrecondition(kDomain, found ? "ACTOR_MERGED" : "OTHER_ACTOR_NOT_FOUND",
                                          absl::StrCat("other_actor ", r.other_actor(),
                                                       found ? " was merged" : " does not exist"),
                                          {{"other_actor", r.other_actor()}});
              }
              absl::optional<int64_t> overlap = RelationshipStore::FindOverlapping(
                  txn, actor_id, *other_id, v1::RelationshipType_Name(r.type()),
                  db::DateParam(r.has_start_date(), r.start_date()),
                  db::DateParam(r.has_end_date(), r.end_date()));
              if (overlap) {
                std::string existing =
                    absl::StrCat("actors/", actor_id, "/relationships/", *overlap);
                return AlreadyExists(kDomain, "RELATIONSHIP_ALREADY_EXISTS",
                                     absl::StrCat(existing,
                                                  " already links these actors over "
                                                  "these dates"),
                                     {{"existing_relationship", existing}});
              }
              Relationship created = RelationshipStore::Insert(txn, actor_id, r, *other_id);
              AppendChange(txn, v1::CHANGE_KIND_CREATED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                           created.name(), &created);
              return created;
            });
      });
}

absl::StatusOr<Relationship> RelationshipRegistry::Update(
    const v1::UpdateRelationshipRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids,
                            RelationshipIds(request.relationship().name(), "relationship.name"));
  return pool_.Transact<Relationship>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<Relationship> {
        MAILLAGE_ASSIGN_OR_RETURN(Relationship current,
                                  RelationshipStore::Get(txn, ids[0], ids[1], true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.relationship().etag(), current.etag(), current.name(), kDomain));
        MAILLAGE_ASSIGN_OR_RETURN(
            Relationship updated,
            api::ApplyUpdateMask(current, request.relationship(), request.update_mask(), kDomain));
        FieldViolations v;
        CheckRelationshipDates(updated, "relationship.", v);
        MAILLAGE_RETURN_IF_ERROR(v.ToStatus(kDomain));
        Relationship stored = RelationshipStore::Update(txn, ids[1], updated);
        AppendChange(txn, v1::CHANGE_KIND_UPDATED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                     stored.name(), &stored);
        return stored;
      });
}

absl::StatusOr<v1::DeleteRelationshipResponse> RelationshipRegistry::Delete(
    const v1::DeleteRelationshipRequest& request, db::Deadline deadline) {
  MAILLAGE_ASSIGN_OR_RETURN(auto ids, RelationshipIds(request.name(), "name"));
  return pool_.Transact<v1::DeleteRelationshipResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::DeleteRelationshipResponse> {
        MAILLAGE_ASSIGN_OR_RETURN(Relationship current,
                                  RelationshipStore::Get(txn, ids[0], ids[1], true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(request.etag(), current.etag(), current.name(), kDomain));
        RelationshipStore::Delete(txn, ids[1]);
        AppendChange(txn, v1::CHANGE_KIND_DELETED, v1::CHANGED_RESOURCE_TYPE_RELATIONSHIP,
                     current.name(), nullptr);
        return v1::DeleteRelationshipResponse();
      });
}

}  // namespace maillage::directory

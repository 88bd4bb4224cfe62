#include "services/gateway/webhooks/webhook_store.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/etag.h"
#include "common/api/list_runner.h"
#include "common/api/resource_name.h"
#include "common/db/values.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/gateway/errors/http_errors.h"
#include "services/gateway/webhooks/webhook_signature.h"

namespace maillage::gateway {
namespace {

constexpr char kCollection[] = "webhookSubscriptions";
constexpr char kActive[] = "WEBHOOK_SUBSCRIPTION_STATE_ACTIVE";

constexpr char kColumns[] =
    "s.id, s.owner_key_id, s.owner_role, s.url, array_to_string(s.event_types, ','), "
    "s.description, s.state, s.disable_reason, " MAILLAGE_SQL_MICROS(
        "s.create_time") ", " MAILLAGE_SQL_MICROS("s.update_time") ", s.revision, "
                                                                   "(SELECT count(*) FROM "
                                                                   "webhook_deliveries d WHERE "
                                                                   "d.subscription_id = s.id)";

constexpr char kAttemptColumns[] =
    "t.id, t.event_id, t.event_type, t.resource_name, " MAILLAGE_SQL_MICROS(
        "t.attempt_time") ", t.duration_ms, t.http_status, t.delivered, t.error, t.attempt_number";

// The caller sees its own subscriptions, an ADMIN every one: $1 key id, $2 true for ADMIN.
constexpr char kVisible[] = "($2 OR s.owner_key_id = $1)";

constexpr char kInsert[] =
    "INSERT INTO webhook_subscriptions (owner_key_id, owner_role, url, event_types, description, "
    "secret) VALUES ($1, $2, $3, $4::text[], $5, $6) RETURNING id";

// Queues every event of $2's types committed at or after $3 (Unix microseconds) for
// subscription $1.
constexpr char kReplay[] =
    "INSERT INTO webhook_deliveries (subscription_id, event_id) "
    "SELECT s.id, e.id FROM webhook_subscriptions s JOIN webhook_events e ON e.role = s.owner_role "
    "WHERE s.id = $1 AND e.commit_time >= 'epoch'::timestamptz + $2::bigint * interval '1 "
    "microsecond' AND (e.event_type = ANY(s.event_types) OR '*' = ANY(s.event_types)) "
    "ON CONFLICT DO NOTHING";

constexpr char kInsertEvent[] =
    "INSERT INTO webhook_events (source, role, sequence, event_type, resource_name, commit_time, "
    "payload) VALUES ($1, $2, $3, $4, $5, 'epoch'::timestamptz + $6::bigint * interval '1 "
    "microsecond', $7) ON CONFLICT (source, role, sequence) DO NOTHING RETURNING id";
constexpr char kFanOut[] =
    "INSERT INTO webhook_deliveries (subscription_id, event_id) "
    "SELECT s.id, $1 FROM webhook_subscriptions s WHERE s.owner_role = $2 "
    "AND ($3 = ANY(s.event_types) OR '*' = ANY(s.event_types)) ON CONFLICT DO NOTHING";
// An erasure (or deletion) of the contact $2 in feed $1: the events stored about it, under every
// name it had (its contact.merged events link them), keep only their resource name and
// sequence. Pending deliveries then send that. The directory does the same to its own feed.
constexpr char kScrub[] =
    "WITH RECURSIVE names(name) AS (SELECT $2::text UNION "
    " SELECT CASE WHEN e.resource_name = n.name "
    "  THEN e.payload::jsonb -> 'data' ->> 'mergedInto' ELSE e.resource_name END "
    " FROM webhook_events e JOIN names n ON e.resource_name = n.name "
    "  OR e.payload::jsonb -> 'data' ->> 'mergedInto' = n.name "
    " WHERE e.source = $1 AND e.event_type = 'contact.merged') "
    "UPDATE webhook_events SET payload = jsonb_set(payload::jsonb, '{data}', "
    " jsonb_build_object('resourceName', resource_name, "
    "  'sequence', payload::jsonb -> 'data' -> 'sequence', 'redacted', true))::text "
    "WHERE source = $1 AND resource_name IN (SELECT name FROM names WHERE name IS NOT NULL) "
    "AND event_type NOT IN ('contact.erased', 'contact.deleted')";
constexpr char kSaveCursor[] =
    "INSERT INTO webhook_feed_cursors (source, role, cursor) VALUES ($1, $2, $3) "
    "ON CONFLICT (source, role) DO UPDATE SET cursor = EXCLUDED.cursor";

// The oldest undelivered event of each active subscription whose owner key is usable, when due
// and not leased; leased for $2 milliseconds. The lease condition is checked again on the row
// (READ COMMITTED re-reads it under its lock), so two gateways never lease the same delivery.
constexpr char kClaim[] =
    "WITH heads AS (SELECT DISTINCT ON (d.subscription_id) d.subscription_id, d.event_id, "
    " d.next_attempt_time, d.lease_until FROM webhook_deliveries d "
    " JOIN webhook_subscriptions s ON s.id = d.subscription_id "
    " JOIN api_keys k ON k.id = s.owner_key_id "
    " WHERE s.state = 'WEBHOOK_SUBSCRIPTION_STATE_ACTIVE' AND k.revoke_time IS NULL "
    " AND (k.expire_time IS NULL OR k.expire_time > now()) "
    " ORDER BY d.subscription_id, d.event_id), "
    "due AS (SELECT subscription_id, event_id FROM heads WHERE next_attempt_time <= now() "
    " AND (lease_until IS NULL OR lease_until < now()) ORDER BY next_attempt_time LIMIT $1) "
    "UPDATE webhook_deliveries d SET lease_until = now() + $2::bigint * interval '1 millisecond' "
    "FROM due, webhook_subscriptions s, webhook_events e "
    "WHERE d.subscription_id = due.subscription_id AND d.event_id = due.event_id "
    "AND s.id = d.subscription_id AND e.id = d.event_id "
    "AND (d.lease_until IS NULL OR d.lease_until < now()) "
    "RETURNING d.subscription_id, d.event_id, s.url, s.secret, e.event_type, e.resource_name, "
    "e.payload, d.attempts";

constexpr char kInsertAttempt[] =
    "INSERT INTO webhook_attempts (subscription_id, event_id, event_type, resource_name, "
    "attempt_number, attempt_time, duration_ms, http_status, delivered, error) "
    "VALUES ($1, $2, $3, $4, $5, 'epoch'::timestamptz + $6::bigint * interval '1 microsecond', "
    "$7, $8, $9, $10)";
constexpr char kDelivered[] =
    "DELETE FROM webhook_deliveries WHERE subscription_id = $1 AND event_id = $2";
// Schedules the retry $3 milliseconds ahead; returns how long the delivery has been failing
// (milliseconds).
constexpr char kFailed[] =
    "UPDATE webhook_deliveries SET attempts = attempts + 1, "
    "first_failure_time = COALESCE(first_failure_time, now()), "
    "next_attempt_time = now() + $3::bigint * interval '1 millisecond', lease_until = NULL "
    "WHERE subscription_id = $1 AND event_id = $2 "
    "RETURNING (extract(epoch from now() - first_failure_time) * 1000)::bigint";
constexpr char kDisable[] =
    "UPDATE webhook_subscriptions SET state = 'WEBHOOK_SUBSCRIPTION_STATE_DISABLED', "
    "disable_reason = $2, update_time = now(), revision = revision + 1 WHERE id = $1 "
    "AND state = 'WEBHOOK_SUBSCRIPTION_STATE_ACTIVE'";

constexpr char kPurgeEvents[] =
    "DELETE FROM webhook_events e WHERE e.commit_time < 'epoch'::timestamptz + $1::bigint * "
    "interval '1 microsecond' AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE "
    "d.event_id = e.id)";
constexpr char kPurgeAttempts[] =
    "DELETE FROM webhook_attempts WHERE attempt_time < 'epoch'::timestamptz + $1::bigint * "
    "interval '1 microsecond'";

v1::WebhookSubscription FromRow(const pqxx::row& row) {
  v1::WebhookSubscription s;
  s.set_name(api::ResourceName(kCollection, row[0].as<int64_t>()));
  s.set_owner(api::ResourceName("apiKeys", row[1].as<int64_t>()));
  v1::Role role;
  if (v1::Role_Parse(row[2].as<std::string>(), &role)) s.set_owner_role(role);
  s.set_url(row[3].as<std::string>());
  for (absl::string_view type : absl::StrSplit(row[4].as<std::string>(), ',', absl::SkipEmpty())) {
    s.add_event_types(std::string(type));
  }
  s.set_description(row[5].as<std::string>());
  v1::WebhookSubscriptionState state;
  if (v1::WebhookSubscriptionState_Parse(row[6].as<std::string>(), &state)) s.set_state(state);
  s.set_disable_reason(row[7].as<std::string>());
  db::ReadMicros(row[8], s.mutable_create_time());
  db::ReadMicros(row[9], s.mutable_update_time());
  s.set_etag(absl::StrCat(row[10].as<int64_t>()));
  s.set_pending_events(row[11].as<int64_t>());
  return s;
}

absl::Status NotFoundError(const std::string& name) {
  return NotFound(kGatewayDomain, "WEBHOOK_SUBSCRIPTION_NOT_FOUND",
                  absl::StrCat("no webhook subscription ", name, " for this key"),
                  {{"name", name}});
}

// The subscription `id` if the caller may see it (NOT_FOUND otherwise), locked FOR UPDATE when
// `lock`.
absl::StatusOr<v1::WebhookSubscription> Load(pqxx::work& txn, const WebhookCaller& caller,
                                             int64_t id, const std::string& name, bool lock) {
  pqxx::result rows =
      txn.exec_params(absl::StrCat("SELECT ", kColumns, " FROM webhook_subscriptions s WHERE ",
                                   kVisible, " AND s.id = $3", lock ? " FOR UPDATE OF s" : ""),
                      caller.key_id, caller.role == v1::ROLE_ADMIN, id);
  if (rows.empty()) return NotFoundError(name);
  return FromRow(rows[0]);
}

absl::StatusOr<int64_t> IdOf(const std::string& name, const char* field) {
  return api::ParseResourceId(name, kCollection, field, kGatewayDomain);
}

}  // namespace

absl::Duration RetryDelay(const RetryPolicy& policy, int attempts) {
  absl::Duration delay = policy.base;
  for (int i = 1; i < attempts && delay < policy.max; ++i) delay *= 2;
  return std::min(delay, policy.max);
}

absl::StatusOr<v1::WebhookSubscription> WebhookStore::Create(
    db::Deadline deadline, const WebhookCaller& caller,
    const v1::WebhookSubscription& subscription) {
  const std::string secret = NewWebhookSecret();
  absl::StatusOr<v1::WebhookSubscription> created = pool_.Transact<v1::WebhookSubscription>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::WebhookSubscription> {
        pqxx::result row = txn.exec_params(
            kInsert, caller.key_id, v1::Role_Name(caller.role), subscription.url(),
            db::PgArray(subscription.event_types()), subscription.description(), secret);
        int64_t id = row[0][0].as<int64_t>();
        return Load(txn, caller, id, api::ResourceName(kCollection, id), false);
      });
  if (created.ok()) created->set_secret(secret);
  return created;
}

absl::StatusOr<v1::WebhookSubscription> WebhookStore::Get(db::Deadline deadline,
                                                          const WebhookCaller& caller,
                                                          const std::string& name) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, IdOf(name, "name"));
  return pool_.ReadOnly<v1::WebhookSubscription>(
      deadline, [&](pqxx::work& txn) { return Load(txn, caller, id, name, false); });
}

absl::StatusOr<v1::ListWebhookSubscriptionsResponse> WebhookStore::List(
    db::Deadline deadline, const WebhookCaller& caller,
    const v1::ListWebhookSubscriptionsRequest& request) {
  const api::SqlListSpec spec = api::RowIdList(
      request, kCollection, api::RowOrder::kOldestFirst, "s.id", kColumns,
      absl::StrCat("webhook_subscriptions s WHERE ", kVisible),
      {absl::StrCat(caller.key_id), caller.role == v1::ROLE_ADMIN ? "true" : "false"});
  return api::ReadSqlList<v1::ListWebhookSubscriptionsResponse>(
      pool_, deadline, spec, kGatewayDomain,
      [](v1::ListWebhookSubscriptionsResponse& page, const pqxx::row& row) {
        *page.add_webhook_subscriptions() = FromRow(row);
      });
}

absl::StatusOr<v1::WebhookSubscription> WebhookStore::Update(db::Deadline deadline,
                                                             const WebhookCaller& caller,
                                                             const v1::WebhookSubscription& merged,
                                                             const std::string& etag) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, IdOf(merged.name(), "webhook_subscription.name"));
  return pool_.Transact<v1::WebhookSubscription>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::WebhookSubscription> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::WebhookSubscription current,
                                  Load(txn, caller, id, merged.name(), true));
        MAILLAGE_RETURN_IF_ERROR(
            api::CheckEtag(etag, current.etag(), merged.name(), kGatewayDomain));
        txn.exec_params(
            "UPDATE webhook_subscriptions SET url = $2, event_types = $3::text[], "
            "description = $4, update_time = now(), revision = revision + 1 WHERE id = $1",
            id, merged.url(), db::PgArray(merged.event_types()), merged.description());
        return Load(txn, caller, id, merged.name(), false);
      });
}

absl::Status WebhookStore::Delete(db::Deadline deadline, const WebhookCaller& caller,
                                  const std::string& name) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, IdOf(name, "name"));
  return pool_.Transact(deadline, [&](pqxx::work& txn) -> absl::Status {
    MAILLAGE_RETURN_IF_ERROR(Load(txn, caller, id, name, true).status());
    txn.exec_params("DELETE FROM webhook_subscriptions WHERE id = $1", id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::WebhookSubscription> WebhookStore::Enable(db::Deadline deadline,
                                                             const WebhookCaller& caller,
                                                             const std::string& name) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, IdOf(name, "name"));
  return pool_.Transact<v1::WebhookSubscription>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::WebhookSubscription> {
        MAILLAGE_ASSIGN_OR_RETURN(v1::WebhookSubscription current,
                                  Load(txn, caller, id, name, true));
        if (current.state() == v1::WEBHOOK_SUBSCRIPTION_STATE_ACTIVE) return current;
        txn.exec_params(
            "UPDATE webhook_subscriptions SET state = $2, disable_reason = '', "
            "update_time = now(), revision = revision + 1 WHERE id = $1",
            id, kActive);
        // A fresh start: retried at once, and `disable_after` counts from the next failure.
        txn.exec_params(
            "UPDATE webhook_deliveries SET next_attempt_time = now(), first_failure_time = NULL, "
            "lease_until = NULL WHERE subscription_id = $1",
            id);
        return Load(txn, caller, id, name, false);
      });
}

absl::StatusOr<v1::ListWebhookAttemptsResponse> WebhookStore::ListAttempts(
    db::Deadline deadline, const WebhookCaller& caller,
    const v1::ListWebhookAttemptsRequest& request) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, IdOf(request.parent(), "parent"));
  const api::SqlListSpec spec = api::RowIdList(
      request, "webhookAttempts", api::RowOrder::kNewestFirst, "t.id", kAttemptColumns,
      "webhook_attempts t WHERE t.subscription_id = $1", {absl::StrCat(id)});
  return pool_.ReadOnly<v1::ListWebhookAttemptsResponse>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<v1::ListWebhookAttemptsResponse> {
        MAILLAGE_RETURN_IF_ERROR(Load(txn, caller, id, request.parent(), false).status());
        MAILLAGE_ASSIGN_OR_RETURN(api::SqlListPage page,
                                  api::RunSqlList(txn, spec, kGatewayDomain));
        v1::ListWebhookAttemptsResponse response;
        for (int i = 0; i < page.count; ++i) {
          const pqxx::row row = page.rows[i];
          v1::WebhookAttempt* attempt = response.add_attempts();
          attempt->set_name(absl::StrCat(request.parent(), "/attempts/", row[0].as<int64_t>()));
          attempt->set_event_id(absl::StrCat("evt_", row[1].as<int64_t>()));
          attempt->set_event_type(row[2].as<std::string>());
          attempt->set_resource_name(row[3].as<std::string>());
          db::ReadMicros(row[4], attempt->mutable_attempt_time());
          const int64_t micros = static_cast<int64_t>(row[5].as<double>() * 1000);
          attempt->mutable_duration()->set_seconds(micros / 1000000);
          attempt->mutable_duration()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
          attempt->set_http_status(row[6].as<int>());
          attempt->set_delivered(row[7].as<bool>());
          attempt->set_error(row[8].as<std::string>());
          attempt->set_attempt_number(row[9].as<int>());
        }
        response.set_next_page_token(page.next_page_token);
        return response;
      });
}

absl::StatusOr<int64_t> WebhookStore::Replay(db::Deadline deadline, const WebhookCaller& caller,
                                             const std::string& name, absl::Time start) {
  MAILLAGE_ASSIGN_OR_RETURN(int64_t id, IdOf(name, "name"));
  return pool_.Transact<int64_t>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
    MAILLAGE_RETURN_IF_ERROR(Load(txn, caller, id, name, true).status());
    return static_cast<int64_t>(
        txn.exec_params(kReplay, id, absl::ToUnixMicros(start)).affected_rows());
  });
}

absl::StatusOr<std::string> WebhookStore::Cursor(db::Deadline deadline, const std::string& source,
                                                 auth::Role role) {
  return pool_.ReadOnly<std::string>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
    pqxx::result rows =
        txn.exec_params("SELECT cursor FROM webhook_feed_cursors WHERE source = $1 AND role = $2",
                        source, v1::Role_Name(role));
    return rows.empty() ? std::string() : rows[0][0].as<std::string>();
  });
}

absl::StatusOr<int64_t> WebhookStore::AppendEvents(db::Deadline deadline, const std::string& source,
                                                   auth::Role role,
                                                   const std::vector<FeedEvent>& events,
                                                   const std::string& next_cursor) {
  const std::string role_name = v1::Role_Name(role);
  return pool_.Transact<int64_t>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
    int64_t queued = 0;
    for (const FeedEvent& event : events) {
      pqxx::result row = txn.exec_params(kInsertEvent, source, role_name, event.sequence,
                                         event.event_type, event.resource_name,
                                         absl::ToUnixMicros(event.commit_time), event.payload);
      if (row.empty()) continue;  // stored by an earlier page
      if (event.event_type == "contact.erased" || event.event_type == "contact.deleted") {
        txn.exec_params(kScrub, source, event.resource_name);
      }
      queued += txn.exec_params(kFanOut, row[0][0].as<int64_t>(), role_name, event.event_type)
                    .affected_rows();
    }
    txn.exec_params(kSaveCursor, source, role_name, next_cursor);
    return queued;
  });
}

absl::StatusOr<std::vector<DueDelivery>> WebhookStore::ClaimDue(db::Deadline deadline, int limit,
                                                                absl::Duration lease) {
  return pool_.Transact<std::vector<DueDelivery>>(
      deadline, [&](pqxx::work& txn) -> absl::StatusOr<std::vector<DueDelivery>> {
        std::vector<DueDelivery> due;
        for (const auto& row : txn.exec_params(kClaim, limit, absl::ToInt64Milliseconds(lease))) {
          DueDelivery d;
          d.subscription_id = row[0].as<int64_t>();
          d.event_id = row[1].as<int64_t>();
          d.url = row[2].as<std::string>();
          d.secret = row[3].as<std::string>();
          d.event_type = row[4].as<std::string>();
          d.resource_name = row[5].as<std::string>();
          d.payload = row[6].as<std::string>();
          d.attempts = row[7].as<int>();
          due.push_back(std::move(d));
        }
        return due;
      });
}

absl::StatusOr<bool> WebhookStore::RecordAttempt(db::Deadline deadline, const DueDelivery& delivery,
                                                 const Outcome& outcome,
                                                 const RetryPolicy& policy) {
  return pool_.Transact<bool>(deadline, [&](pqxx::work& txn) -> absl::StatusOr<bool> {
    txn.exec_params(kInsertAttempt, delivery.subscription_id, delivery.event_id,
                    delivery.event_type, delivery.resource_name, delivery.attempts + 1,
                    absl::ToUnixMicros(outcome.attempt_time),
                    absl::ToDoubleMilliseconds(outcome.duration), outcome.http_status,
                    outcome.delivered, outcome.error);
    if (outcome.delivered) {
      txn.exec_params(kDelivered, delivery.subscription_id, delivery.event_id);
      return false;
    }
    pqxx::result failing =
        txn.exec_params(kFailed, delivery.subscription_id, delivery.event_id,
                        absl::ToInt64Milliseconds(RetryDelay(policy, delivery.attempts + 1)));
    if (failing.empty()) return false;  // deleted meanwhile
    const int64_t failing_ms = failing[0][0].as<int64_t>();
    if (failing_ms < absl::ToInt64Milliseconds(policy.disable_after)) return false;
    return txn.exec_params(kDisable, delivery.subscription_id,
                           absl::StrCat("event evt_", delivery.event_id, " failed for ",
                                        failing_ms / 1000, " s (", delivery.attempts + 1,
                                        " attempts); last error: ", outcome.error))
               .affected_rows() > 0;
  });
}

absl::StatusOr<int64_t> WebhookStore::Purge(absl::Time cutoff) {
  return pool_.Transact<int64_t>(
      std::chrono::system_clock::now() + std::chrono::minutes(5),
      [&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
        const int64_t micros = absl::ToUnixMicros(cutoff);
        return static_cast<int64_t>(txn.exec_params(kPurgeEvents, micros).affected_rows() +
                                    txn.exec_params(kPurgeAttempts, micros).affected_rows());
      });
}

service::PeriodicJob WebhookRetentionJob(WebhookStore& store, absl::Duration retention,
                                         absl::Duration interval) {
  return {"webhook events retention", interval,
          [&store, retention](absl::Time now) { return store.Purge(now - retention); }};
}

}  // namespace maillage::gateway

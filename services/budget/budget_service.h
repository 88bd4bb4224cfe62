// The gRPC adapter of maillage.budget.v1.BudgetService: request → logic call → response, with
// statuses turned into grpc::Status carrying the google.rpc details (domain budget.maillage).
#pragma once

#include "common/db/pool.h"
#include "maillage/budget/v1/budget_service.grpc.pb.h"
#include "services/budget/account_catalog.h"
#include "services/budget/action_registry.h"
#include "services/budget/budget_book.h"
#include "services/budget/funder_scope.h"
#include "services/budget/grant_ledger.h"

namespace maillage::budget {

class BudgetServiceImpl final : public v1::BudgetService::Service {
 public:
  explicit BudgetServiceImpl(db::Pool& pool);

  // Fills the accounts table from the embedded chart (run after the migrations).
  absl::Status SyncAccounts(db::Deadline deadline) { return accounts_.Sync(deadline); }

#define MAILLAGE_BUDGET_RPC(Method, Request, Response)                          \
  grpc::Status Method(grpc::ServerContext* context, const v1::Request* request, \
                      Response* response) override
  MAILLAGE_BUDGET_RPC(GetAction, GetActionRequest, v1::Action);
  MAILLAGE_BUDGET_RPC(ListActions, ListActionsRequest, v1::ListActionsResponse);
  MAILLAGE_BUDGET_RPC(CreateAction, CreateActionRequest, v1::Action);
  MAILLAGE_BUDGET_RPC(UpdateAction, UpdateActionRequest, v1::Action);
  MAILLAGE_BUDGET_RPC(DeleteAction, DeleteActionRequest, google::protobuf::Empty);
  MAILLAGE_BUDGET_RPC(GetBudget, GetBudgetRequest, v1::Budget);
  MAILLAGE_BUDGET_RPC(ListBudgets, ListBudgetsRequest, v1::ListBudgetsResponse);
  MAILLAGE_BUDGET_RPC(CreateBudget, CreateBudgetRequest, v1::Budget);
  MAILLAGE_BUDGET_RPC(UpdateBudget, UpdateBudgetRequest, v1::Budget);
  MAILLAGE_BUDGET_RPC(DeleteBudget, DeleteBudgetRequest, google::protobuf::Empty);
  MAILLAGE_BUDGET_RPC(SubmitBudget, SubmitBudgetRequest, v1::Budget);
  MAILLAGE_BUDGET_RPC(ApproveBudget, ApproveBudgetRequest, v1::Budget);
  MAILLAGE_BUDGET_RPC(ListBudgetChanges, ListBudgetChangesRequest, v1::ListBudgetChangesResponse);
  MAILLAGE_BUDGET_RPC(ReviseBudget, ReviseBudgetRequest, v1::Budget);
  MAILLAGE_BUDGET_RPC(DiffBudgetVersions, DiffBudgetVersionsRequest,
                      v1::DiffBudgetVersionsResponse);
  MAILLAGE_BUDGET_RPC(ValidateBudget, ValidateBudgetRequest, v1::ValidateBudgetResponse);
  MAILLAGE_BUDGET_RPC(ImportBudgetTable, ImportBudgetTableRequest, v1::ImportBudgetTableResponse);
  MAILLAGE_BUDGET_RPC(ExportBudget, ExportBudgetRequest, google::api::HttpBody);
  MAILLAGE_BUDGET_RPC(GetFinancialReport, GetFinancialReportRequest, v1::FinancialReport);
  MAILLAGE_BUDGET_RPC(GetBudgetLine, GetBudgetLineRequest, v1::BudgetLine);
  MAILLAGE_BUDGET_RPC(ListBudgetLines, ListBudgetLinesRequest, v1::ListBudgetLinesResponse);
  MAILLAGE_BUDGET_RPC(CreateBudgetLine, CreateBudgetLineRequest, v1::BudgetLine);
  MAILLAGE_BUDGET_RPC(UpdateBudgetLine, UpdateBudgetLineRequest, v1::BudgetLine);
  MAILLAGE_BUDGET_RPC(DeleteBudgetLine, DeleteBudgetLineRequest, google::protobuf::Empty);
  MAILLAGE_BUDGET_RPC(GetGrant, GetGrantRequest, v1::Grant);
  MAILLAGE_BUDGET_RPC(ListGrants, ListGrantsRequest, v1::ListGrantsResponse);
  MAILLAGE_BUDGET_RPC(CreateGrant, CreateGrantRequest, v1::Grant);
  MAILLAGE_BUDGET_RPC(UpdateGrant, UpdateGrantRequest, v1::Grant);
  MAILLAGE_BUDGET_RPC(DeleteGrant, DeleteGrantRequest, google::protobuf::Empty);
  MAILLAGE_BUDGET_RPC(GetAccount, GetAccountRequest, v1::Account);
  MAILLAGE_BUDGET_RPC(ListAccounts, ListAccountsRequest, v1::ListAccountsResponse);
#undef MAILLAGE_BUDGET_RPC

 private:
  ActionRegistry actions_;
  BudgetBook budgets_;
  GrantLedger grants_;
  AccountCatalog accounts_;
  FunderScope funders_;
};

}  // namespace maillage::budget

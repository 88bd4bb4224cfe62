// The gRPC adapter of the budget service: each method hands the request and the call's
// deadline to the logic that owns the resource.
#include "services/budget/budget_service.h"

#include "common/auth/caller.h"
#include "common/status/grpc_status.h"
#include "common/status/reply.h"
#include "services/budget/budget_names.h"

namespace maillage::budget {

BudgetServiceImpl::BudgetServiceImpl(db::Pool& pool)
    : actions_(pool),
      budgets_(pool, ChartOfAccounts::Pca2018()),
      grants_(pool),
      accounts_(pool, ChartOfAccounts::Pca2018()),
      funders_(pool) {}

// Authorizes the call, then holds a funder's key to the actions it funds (funder_scope.h): `names`
// are the resource names the request is about (an expression over `request`).
#define MAILLAGE_BUDGET_ADAPT(Method, Request, Response, call, names)                              \
  grpc::Status BudgetServiceImpl::Method(grpc::ServerContext* context, const v1::Request* request, \
                                         Response* response) {                                     \
    MAILLAGE_AUTHORIZE(context, v1::BudgetService, Method, kDomain);                               \
    absl::Status scope = funders_.Check(authorized_call.principal(), names, context->deadline());  \
    if (!scope.ok()) return ToGrpcStatus(scope, kDomain);                                          \
    return Reply(call(*request, context->deadline()), response, kDomain);                          \
  }
#define MAILLAGE_NAMES(...) (std::vector<std::string>{__VA_ARGS__})

MAILLAGE_BUDGET_ADAPT(GetAction, GetActionRequest, v1::Action, actions_.Get,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(CreateAction, CreateActionRequest, v1::Action, actions_.Create,
                      MAILLAGE_NAMES())
MAILLAGE_BUDGET_ADAPT(UpdateAction, UpdateActionRequest, v1::Action, actions_.Update,
                      MAILLAGE_NAMES(request->action().name()))
MAILLAGE_BUDGET_ADAPT(DeleteAction, DeleteActionRequest, google::protobuf::Empty, actions_.Delete,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(GetBudget, GetBudgetRequest, v1::Budget, budgets_.GetBudget,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(ListBudgets, ListBudgetsRequest, v1::ListBudgetsResponse,
                      budgets_.ListBudgets, MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(CreateBudget, CreateBudgetRequest, v1::Budget, budgets_.CreateBudget,
                      MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(UpdateBudget, UpdateBudgetRequest, v1::Budget, budgets_.UpdateBudget,
                      MAILLAGE_NAMES(request->budget().name()))
MAILLAGE_BUDGET_ADAPT(DeleteBudget, DeleteBudgetRequest, google::protobuf::Empty,
                      budgets_.DeleteBudget, MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(SubmitBudget, SubmitBudgetRequest, v1::Budget, budgets_.SubmitBudget,
                      MAILLAGE_NAMES(request->name()))
// Every budget of every action: staff only (the permission table), so no funder scope applies.
MAILLAGE_BUDGET_ADAPT(ListBudgetChanges, ListBudgetChangesRequest, v1::ListBudgetChangesResponse,
                      budgets_.Changes, MAILLAGE_NAMES())
MAILLAGE_BUDGET_ADAPT(ApproveBudget, ApproveBudgetRequest, v1::Budget, budgets_.ApproveBudget,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(ReviseBudget, ReviseBudgetRequest, v1::Budget, budgets_.ReviseBudget,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(DiffBudgetVersions, DiffBudgetVersionsRequest, v1::DiffBudgetVersionsResponse,
                      budgets_.Diff,
                      MAILLAGE_NAMES(request->base_budget(), request->target_budget()))
MAILLAGE_BUDGET_ADAPT(ValidateBudget, ValidateBudgetRequest, v1::ValidateBudgetResponse,
                      budgets_.ValidateBudget, MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(ImportBudgetTable, ImportBudgetTableRequest, v1::ImportBudgetTableResponse,
                      budgets_.ImportBudgetTable, MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(ExportBudget, ExportBudgetRequest, google::api::HttpBody, budgets_.Export,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(GetFinancialReport, GetFinancialReportRequest, v1::FinancialReport,
                      budgets_.FinancialReport, MAILLAGE_NAMES(request->action()))
MAILLAGE_BUDGET_ADAPT(GetBudgetLine, GetBudgetLineRequest, v1::BudgetLine, budgets_.GetLine,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(ListBudgetLines, ListBudgetLinesRequest, v1::ListBudgetLinesResponse,
                      budgets_.ListLines, MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(CreateBudgetLine, CreateBudgetLineRequest, v1::BudgetLine,
                      budgets_.CreateLine, MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(UpdateBudgetLine, UpdateBudgetLineRequest, v1::BudgetLine,
                      budgets_.UpdateLine, MAILLAGE_NAMES(request->budget_line().name()))
MAILLAGE_BUDGET_ADAPT(DeleteBudgetLine, DeleteBudgetLineRequest, google::protobuf::Empty,
                      budgets_.DeleteLine, MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(GetGrant, GetGrantRequest, v1::Grant, grants_.Get,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(ListGrants, ListGrantsRequest, v1::ListGrantsResponse, grants_.List,
                      MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(CreateGrant, CreateGrantRequest, v1::Grant, grants_.Create,
                      MAILLAGE_NAMES(request->parent()))
MAILLAGE_BUDGET_ADAPT(UpdateGrant, UpdateGrantRequest, v1::Grant, grants_.Update,
                      MAILLAGE_NAMES(request->grant().name()))
MAILLAGE_BUDGET_ADAPT(DeleteGrant, DeleteGrantRequest, google::protobuf::Empty, grants_.Delete,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(GetAccount, GetAccountRequest, v1::Account, accounts_.Get,
                      MAILLAGE_NAMES(request->name()))
MAILLAGE_BUDGET_ADAPT(ListAccounts, ListAccountsRequest, v1::ListAccountsResponse, accounts_.List,
                      MAILLAGE_NAMES())

// A funder's key lists only the actions that list its funder.
grpc::Status BudgetServiceImpl::ListActions(grpc::ServerContext* context,
                                            const v1::ListActionsRequest* request,
                                            v1::ListActionsResponse* response) {
  MAILLAGE_AUTHORIZE(context, v1::BudgetService, ListActions, kDomain);
  v1::ListActionsRequest scoped = *request;
  scoped.set_filter(
      FunderScope::ScopedActionFilter(authorized_call.principal(), request->filter()));
  return Reply(actions_.List(scoped, context->deadline()), response, kDomain);
}

#undef MAILLAGE_NAMES
#undef MAILLAGE_BUDGET_ADAPT

}  // namespace maillage::budget

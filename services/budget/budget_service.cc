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
      accounts_(pool, ChartOfAccounts::Pca2018()) {}

#define MAILLAGE_BUDGET_ADAPT(Method, Request, Response, call)                                     \
  grpc::Status BudgetServiceImpl::Method(grpc::ServerContext* context, const v1::Request* request, \
                                         Response* response) {                                     \
    MAILLAGE_AUTHORIZE(context, v1::BudgetService, Method, kDomain);                               \
    return Reply(call(*request, context->deadline()), response, kDomain);                          \
  }

MAILLAGE_BUDGET_ADAPT(GetAction, GetActionRequest, v1::Action, actions_.Get)
MAILLAGE_BUDGET_ADAPT(ListActions, ListActionsRequest, v1::ListActionsResponse, actions_.List)
MAILLAGE_BUDGET_ADAPT(CreateAction, CreateActionRequest, v1::Action, actions_.Create)
MAILLAGE_BUDGET_ADAPT(UpdateAction, UpdateActionRequest, v1::Action, actions_.Update)
MAILLAGE_BUDGET_ADAPT(DeleteAction, DeleteActionRequest, google::protobuf::Empty, actions_.Delete)
MAILLAGE_BUDGET_ADAPT(GetBudget, GetBudgetRequest, v1::Budget, budgets_.GetBudget)
MAILLAGE_BUDGET_ADAPT(ListBudgets, ListBudgetsRequest, v1::ListBudgetsResponse,
                      budgets_.ListBudgets)
MAILLAGE_BUDGET_ADAPT(CreateBudget, CreateBudgetRequest, v1::Budget, budgets_.CreateBudget)
MAILLAGE_BUDGET_ADAPT(UpdateBudget, UpdateBudgetRequest, v1::Budget, budgets_.UpdateBudget)
MAILLAGE_BUDGET_ADAPT(DeleteBudget, DeleteBudgetRequest, google::protobuf::Empty,
                      budgets_.DeleteBudget)
MAILLAGE_BUDGET_ADAPT(SubmitBudget, SubmitBudgetRequest, v1::Budget, budgets_.SubmitBudget)
MAILLAGE_BUDGET_ADAPT(ApproveBudget, ApproveBudgetRequest, v1::Budget, budgets_.ApproveBudget)
MAILLAGE_BUDGET_ADAPT(ReviseBudget, ReviseBudgetRequest, v1::Budget, budgets_.ReviseBudget)
MAILLAGE_BUDGET_ADAPT(DiffBudgetVersions, DiffBudgetVersionsRequest, v1::DiffBudgetVersionsResponse,
                      budgets_.Diff)
MAILLAGE_BUDGET_ADAPT(ValidateBudget, ValidateBudgetRequest, v1::ValidateBudgetResponse,
                      budgets_.ValidateBudget)
MAILLAGE_BUDGET_ADAPT(ImportBudgetTable, ImportBudgetTableRequest, v1::ImportBudgetTableResponse,
                      budgets_.ImportBudgetTable)
MAILLAGE_BUDGET_ADAPT(ExportBudget, ExportBudgetRequest, google::api::HttpBody, budgets_.Export)
MAILLAGE_BUDGET_ADAPT(GetFinancialReport, GetFinancialReportRequest, v1::FinancialReport,
                      budgets_.FinancialReport)
MAILLAGE_BUDGET_ADAPT(GetBudgetLine, GetBudgetLineRequest, v1::BudgetLine, budgets_.GetLine)
MAILLAGE_BUDGET_ADAPT(ListBudgetLines, ListBudgetLinesRequest, v1::ListBudgetLinesResponse,
                      budgets_.ListLines)
MAILLAGE_BUDGET_ADAPT(CreateBudgetLine, CreateBudgetLineRequest, v1::BudgetLine,
                      budgets_.CreateLine)
MAILLAGE_BUDGET_ADAPT(UpdateBudgetLine, UpdateBudgetLineRequest, v1::BudgetLine,
                      budgets_.UpdateLine)
MAILLAGE_BUDGET_ADAPT(DeleteBudgetLine, DeleteBudgetLineRequest, google::protobuf::Empty,
                      budgets_.DeleteLine)
MAILLAGE_BUDGET_ADAPT(GetGrant, GetGrantRequest, v1::Grant, grants_.Get)
MAILLAGE_BUDGET_ADAPT(ListGrants, ListGrantsRequest, v1::ListGrantsResponse, grants_.List)
MAILLAGE_BUDGET_ADAPT(CreateGrant, CreateGrantRequest, v1::Grant, grants_.Create)
MAILLAGE_BUDGET_ADAPT(UpdateGrant, UpdateGrantRequest, v1::Grant, grants_.Update)
MAILLAGE_BUDGET_ADAPT(DeleteGrant, DeleteGrantRequest, google::protobuf::Empty, grants_.Delete)
MAILLAGE_BUDGET_ADAPT(GetAccount, GetAccountRequest, v1::Account, accounts_.Get)
MAILLAGE_BUDGET_ADAPT(ListAccounts, ListAccountsRequest, v1::ListAccountsResponse, accounts_.List)

#undef MAILLAGE_BUDGET_ADAPT

}  // namespace maillage::budget

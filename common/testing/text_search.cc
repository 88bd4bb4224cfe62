#include "common/testing/text_search.h"

#include <algorithm>
#include <pqxx/pqxx>

namespace maillage::testing {

std::vector<std::string> ColumnsHolding(const std::string& database_url,
                                        const std::string& needle) {
  pqxx::connection connection(database_url);
  pqxx::work txn(connection);
  pqxx::result columns = txn.exec(
      "SELECT c.table_schema, c.table_name, c.column_name, c.data_type "
      "FROM information_schema.columns c JOIN information_schema.tables t "
      "  ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE t.table_type = 'BASE TABLE' "
      "  AND c.table_schema NOT IN ('pg_catalog', 'information_schema') "
      "  AND c.data_type IN ('text', 'character varying', 'character', 'ARRAY', 'json', "
      "                      'jsonb', 'bytea') "
      "ORDER BY 1, 2, 3");
  std::vector<std::string> found;
  for (const pqxx::row& column : columns) {
    std::string table = txn.quote_name(column[0].as<std::string>()) + "." +
                        txn.quote_name(column[1].as<std::string>());
    std::string name = txn.quote_name(column[2].as<std::string>());
    std::string condition = column[3].as<std::string>() == "bytea"
                                ? "position(convert_to($1, 'UTF8') in " + name + ") > 0"
                                : "strpos(lower(" + name + "::text), lower($1)) > 0";
    pqxx::result hit =
        txn.exec_params("SELECT 1 FROM " + table + " WHERE " + condition + " LIMIT 1", needle);
    if (!hit.empty()) {
      found.push_back(column[1].as<std::string>() + "." + column[2].as<std::string>());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace maillage::testing

// Where a piece of text is stored in a database: every text-like column (text, varchar, char,
// arrays, json, jsonb) and every bytea column of every table outside the system schemas,
// searched for `needle` (case-insensitively for text; as UTF-8 bytes in bytea, where serialized
// protobuf messages keep their strings). For erasure tests: after a person is erased, no column
// of any table may still hold their name, e-mail address or phone number.
//
//   EXPECT_THAT(testing::ColumnsHolding(database.url(), "Durand"), ::testing::IsEmpty());
#pragma once

#include <string>
#include <vector>

namespace maillage::testing {

// "table.column" of every column holding `needle` in at least one row, sorted. Throws
// std::runtime_error on a database error.
std::vector<std::string> ColumnsHolding(const std::string& database_url, const std::string& needle);

}  // namespace maillage::testing

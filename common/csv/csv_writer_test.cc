// Tests of the CSV writer: quoting, and every formula trigger of OWASP neutralised and restored.
#include "common/csv/csv_writer.h"

#include "common/csv/csv_reader.h"
#include "gtest/gtest.h"

namespace maillage::csv {
namespace {

TEST(CsvWriterTest, QuotesWhatNeedsIt) {
  EXPECT_EQ(CsvLine({"a", "b c", "d;e", "f\"g", "h\ni"}, ';'),
            "a;b c;\"d;e\";\"f\"\"g\";\"h\ni\"\r\n");
  EXPECT_EQ(CsvLine({"d;e", "x,y"}, ','), "d;e,\"x,y\"\r\n");
  EXPECT_EQ(CsvLine({}, ';'), "\r\n");
}

TEST(CsvWriterTest, NeutralisesEveryFormulaTrigger) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"=1+1", "'=1+1"},
      {"+33 3 80 00 00 00", "'+33 3 80 00 00 00"},
      {"-400 €", "'-400 €"},
      {"@SUM(A1:A9)", "'@SUM(A1:A9)"},
      {"\t=cmd", "'\t=cmd"},
      {"\r=cmd", "'\r=cmd"},
      {"'t Hooft", "''t Hooft"},
      {"Économie = solidaire", "Économie = solidaire"},  // only the first character counts
      {"", ""},
  };
  for (const auto& [cell, neutralised] : cases) {
    EXPECT_EQ(NeutralizeCell(cell), neutralised) << cell;
    EXPECT_EQ(RestoreCell(neutralised), cell) << cell;
  }
  EXPECT_EQ(CsvLine({"=HYPERLINK(\"http://x\")", "ok"}, ';'),
            "\"'=HYPERLINK(\"\"http://x\"\")\";ok\r\n");
  EXPECT_EQ(CsvLine({"\r=cmd"}, ';'), "\"'\r=cmd\"\r\n");
}

TEST(CsvWriterTest, ReadsBackExactly) {
  const std::vector<std::string> cells = {"=1+1", "-2", "'", "''", "'=x", "plain", "a;b\"c\r\nd"};
  CsvReader reader(';');
  reader.Feed(CsvLine(cells, ';'));
  reader.Finish();
  auto record = reader.Next();
  ASSERT_TRUE(record.has_value());
  ASSERT_EQ(record->fields.size(), cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    EXPECT_EQ(RestoreCell(record->fields[i]), cells[i]) << i;
  }
}

}  // namespace
}  // namespace maillage::csv

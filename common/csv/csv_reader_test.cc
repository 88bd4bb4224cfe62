#include "common/csv/csv_reader.h"

#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

using maillage::testing::IsOk;

namespace maillage::csv {
namespace {

std::vector<CsvRecord> ReadAll(absl::string_view text, char sep, size_t chunk_size,
                               absl::Status* status = nullptr) {
  CsvReader reader(sep);
  std::vector<CsvRecord> out;
  for (size_t i = 0; i < text.size(); i += chunk_size) {
    reader.Feed(text.substr(i, chunk_size));
    while (auto r = reader.Next()) out.push_back(*r);
  }
  reader.Finish();
  while (auto r = reader.Next()) out.push_back(*r);
  if (status != nullptr) *status = reader.status();
  return out;
}

TEST(CsvReaderTest, Rfc4180InAnyChunking) {
  const std::string text =
      "\xEF\xBB\xBFname;commune\r\n"
      "\"Cric & Co\";21231\r\n"
      "\"La \"\"Rustine\"\"; atelier\nvélo\";21231\r\n"
      "\r\n"
      "Zutique;\n"
      "last;row";
  for (size_t chunk : {1, 2, 3, 7, 1000}) {
    absl::Status status;
    auto records = ReadAll(text, ';', chunk, &status);
    ASSERT_THAT(status, IsOk()) << status;
    ASSERT_EQ(records.size(), 5u) << "chunk " << chunk;
    EXPECT_EQ(records[0].fields, (std::vector<std::string>{"name", "commune"}));
    EXPECT_EQ(records[1].fields[0], "Cric & Co");
    EXPECT_EQ(records[2].fields[0], "La \"Rustine\"; atelier\nvélo");
    EXPECT_EQ(records[2].line, 3);
    EXPECT_EQ(records[3].fields, (std::vector<std::string>{"Zutique", ""}));
    EXPECT_EQ(records[3].line, 6);
    EXPECT_EQ(records[4].fields, (std::vector<std::string>{"last", "row"}));
  }
}

TEST(CsvReaderTest, ErrorsNameTheLine) {
  absl::Status status;
  ReadAll("a,b\n\"open,c\n", ',', 4, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("not closed"), std::string::npos) << status;
  ReadAll("a,b\nx\"y,c\n", ',', 4, &status);
  EXPECT_NE(status.message().find("line 2"), std::string::npos) << status;
  ReadAll("\"a\"b,c\n", ',', 4, &status);
  EXPECT_NE(status.message().find("after a closing quote"), std::string::npos) << status;
}

TEST(CsvReaderTest, FieldSizeBounded) {
  CsvReader reader(',', 10);
  reader.Feed(std::string(100, 'x'));
  EXPECT_FALSE(reader.status().ok());
}

TEST(CsvReaderTest, DetectSeparator) {
  EXPECT_EQ(DetectSeparator("nom;commune;siret"), ';');
  EXPECT_EQ(DetectSeparator("name,commune"), ',');
  EXPECT_EQ(DetectSeparator("\"a;b\",c"), ',');
  EXPECT_EQ(DetectSeparator("a\tb"), '\t');
}

TEST(CsvReaderTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("Économie émmaüs €"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

}  // namespace
}  // namespace maillage::csv

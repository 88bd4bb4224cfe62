// Encodings and dates of the files French spreadsheets write.
#include "common/csv/spreadsheet_text.h"

#include "gtest/gtest.h"

namespace maillage::csv {
namespace {

TEST(SpreadsheetTextTest, DetectsUtf8AndWindows1252) {
  EXPECT_EQ(DetectEncoding("Nom;Ville\r\n"), TextEncoding::kUtf8);
  EXPECT_EQ(DetectEncoding("\xEF\xBB\xBFNom;R\xC3\xA9seau"), TextEncoding::kUtf8);
  // "Réseau" as French Excel saves it.
  EXPECT_EQ(DetectEncoding("Nom;R\xE9seau"), TextEncoding::kWindows1252);
}

TEST(SpreadsheetTextTest, Windows1252BecomesUtf8) {
  // é à ç œ € ’ « » and a no-break space, each one byte in Windows-1252.
  EXPECT_EQ(ToUtf8("\xE9\xE0\xE7\x9C\x80\x92\xAB\xBB\xA0", TextEncoding::kWindows1252),
            "éàçœ€’«»\u00A0");
  EXPECT_EQ(ToUtf8("C\x9Cur de l'\xC9"
                   "conomie",
                   TextEncoding::kWindows1252),
            "Cœur de l'Économie");
  // An unassigned byte becomes the C1 control of the same number (WHATWG), never a loss.
  EXPECT_EQ(ToUtf8("\x81", TextEncoding::kWindows1252), "\xC2\x81");
  EXPECT_EQ(ToUtf8("déjà", TextEncoding::kUtf8), "déjà");
  EXPECT_STREQ(EncodingLabel(TextEncoding::kWindows1252), "windows-1252");
  EXPECT_STREQ(EncodingLabel(TextEncoding::kUtf8), "UTF-8");
}

TEST(SpreadsheetTextTest, DatesIsoAndFrench) {
  struct Case {
    const char* text;
    bool ok;
    int y, m, d;
  } cases[] = {
      {"2026-12-07", true, 2026, 12, 7},  {"07/12/2026", true, 2026, 12, 7},
      {"7/3/2021", true, 2021, 3, 7},     {"29/02/2024", true, 2024, 2, 29},
      {"29/02/2023", false, 0, 0, 0},     {"31/04/2026", false, 0, 0, 0},
      {"12/07/26", false, 0, 0, 0},       {"2026/12/07", false, 0, 0, 0},
      {"07-12-2026", false, 0, 0, 0},     {"", false, 0, 0, 0},
      {"1/1/2026 10:00", false, 0, 0, 0}, {"13/13/2026", false, 0, 0, 0},
  };
  for (const Case& c : cases) {
    google::type::Date date;
    EXPECT_EQ(ParseSpreadsheetDate(c.text, &date), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(date.year(), c.y) << c.text;
      EXPECT_EQ(date.month(), c.m) << c.text;
      EXPECT_EQ(date.day(), c.d) << c.text;
    }
  }
}

}  // namespace
}  // namespace maillage::csv

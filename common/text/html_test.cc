#include "common/text/html.h"

#include "gtest/gtest.h"

namespace maillage::text {
namespace {

TEST(HtmlEscapeTest, ReplacesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape("Atelier <b>\"ESS\"</b> & co l'été"),
            "Atelier &lt;b&gt;&quot;ESS&quot;&lt;/b&gt; &amp; co l&#39;été");
  EXPECT_EQ(HtmlEscape(""), "");
}

}  // namespace
}  // namespace maillage::text

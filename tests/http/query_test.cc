#include "daemon/http/query.h"

#include <gtest/gtest.h>

namespace helpdesk::http {
namespace {

TEST(Query, SplitsAndDecodes) {
  auto t = ParseTarget(
      "/api/v1/tickets?municipality=nore-og-uvdal&assignee=ola%2Eit&x=a+b");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/api/v1/tickets");
  EXPECT_EQ(t->params.at("municipality"), "nore-og-uvdal");
  EXPECT_EQ(t->params.at("assignee"), "ola.it");
  EXPECT_EQ(t->params.at("x"), "a b");
}

TEST(Query, RejectsBadEncodingControlCharsAndRepeats) {
  EXPECT_EQ(ParseTarget("/a?x=%zz").status().field(), "x");
  EXPECT_FALSE(ParseTarget("/a?x=%4").ok());
  EXPECT_FALSE(ParseTarget("/a?x=%00").ok());
  EXPECT_FALSE(ParseTarget("/a%0a").ok());
  EXPECT_EQ(ParseTarget("/a?x=1&x=2").status().field(), "x");
}

TEST(Query, DecodedTextMustBeUtf8) {
  // Names in paths and filters are echoed in answers: only real text.
  auto ok = ParseTarget(
      "/api/v1/staff/sigrid?municipality=%C3%B8%E2%82%AC%F0%9F%98%80");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->params.at("municipality"),
            "\xC3\xB8\xE2\x82\xAC\xF0\x9F\x98\x80");
  for (const char* bad :
       {"/api/v1/staff/%ff%fe", "/api/v1/tickets/%C3", "/x/%80",
        "/x/%C0%AF" /* overlong '/' */, "/x/%ED%A0%80" /* surrogate */,
        "/x/%F4%90%80%80" /* above U+10FFFF */, "/x?q=%E2%82"})
    EXPECT_FALSE(ParseTarget(bad).ok()) << bad;
}

TEST(Query, UnknownParametersAreNamed) {
  auto t = ParseTarget("/a?statsu=new");
  Status s = CheckParams(*t, {"status", "limit"});
  EXPECT_EQ(s.code(), Code::kInvalidParameter);
  EXPECT_EQ(s.field(), "statsu");
  EXPECT_NE(s.message().find("status, limit"), std::string::npos);
}

TEST(Query, UintParamChecksRange) {
  auto t = ParseTarget("/a?limit=0&big=99999999999999999999999&ok=7");
  EXPECT_EQ(*UintParam(*t, "ok", 1, 10, 5), 7u);
  EXPECT_EQ(*UintParam(*t, "absent", 1, 10, 5), 5u);
  EXPECT_FALSE(UintParam(*t, "limit", 1, 10, 5).ok());
  EXPECT_FALSE(UintParam(*t, "big", 1, 10, 5).ok());
}

TEST(Query, CursorRoundTripsAndRejectsForgeries) {
  for (uint64_t v : {1ull, 42ull, 1234567890123ull}) {
    auto back = DecodeCursor(EncodeCursor(v));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, v);
  }
  EXPECT_FALSE(DecodeCursor("42").ok());
  EXPECT_FALSE(DecodeCursor("!!!").ok());
  EXPECT_FALSE(DecodeCursor(EncodeCursor(0)).ok());
  EXPECT_EQ(DecodeCursor("zzzz").status().field(), "cursor");
}

}  // namespace
}  // namespace helpdesk::http

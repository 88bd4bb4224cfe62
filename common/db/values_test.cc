// db values against a real PostgreSQL: what the helpers write is what the server reads, and
// what the server returns is read back unchanged.
#include "common/db/values.h"

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/testing/postgres.h"
#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace maillage::db {
namespace {

using ::maillage::testing::TestDatabase;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ValuesTest : public ::testing::Test {
 protected:
  ValuesTest() : connection_(database_.url()) {}
  pqxx::row One(const std::string& sql, const std::vector<std::string>& params = {}) {
    pqxx::work txn(connection_);
    pqxx::row row = txn.exec_params1(sql, pqxx::prepare::make_dynamic_params(params));
    txn.commit();
    return row;
  }

  TestDatabase database_{"values"};
  pqxx::connection connection_;
};

TEST(TimestampTest, MicrosRoundTripIncludingBeforeTheEpoch) {
  for (int64_t micros :
       {int64_t{0}, int64_t{1}, int64_t{1700000000123456}, int64_t{-1}, int64_t{-1500000}}) {
    google::protobuf::Timestamp t = TimestampOf(micros);
    EXPECT_GE(t.nanos(), 0) << micros;
    EXPECT_LT(t.nanos(), 1000000000) << micros;
    EXPECT_EQ(MicrosOf(t), micros);
  }
  google::protobuf::Timestamp before = TimestampOf(-1500000);
  EXPECT_EQ(before.seconds(), -2);
  EXPECT_EQ(before.nanos(), 500000000);
}

TEST_F(ValuesTest, TimeParamAndMicrosColumnAgreeWithTheServer) {
  const int64_t micros = 1700000000123456;  // 2023-11-14 22:13:20.123456 UTC
  pqxx::row row = One("SELECT " MAILLAGE_SQL_MICROS(
                          "t") ", to_char(t AT TIME ZONE 'UTC', "
                               "'YYYY-MM-DD HH24:MI:SS.US') FROM (SELECT " +
                          TimeParam(1) + " AS t) s",
                      {std::to_string(micros)});
  EXPECT_EQ(row[1].as<std::string>(), "2023-11-14 22:13:20.123456");
  google::protobuf::Timestamp read;
  ASSERT_TRUE(ReadMicros(row[0], &read));
  EXPECT_EQ(MicrosOf(read), micros);
}

TEST_F(ValuesTest, ReadMicrosLeavesTheTimestampAloneOnNull) {
  pqxx::row row = One("SELECT " MAILLAGE_SQL_MICROS("NULL::timestamptz"));
  google::protobuf::Timestamp read = TimestampOf(42);
  EXPECT_FALSE(ReadMicros(row[0], &read));
  EXPECT_EQ(MicrosOf(read), 42);
}

TEST_F(ValuesTest, DatesRoundTripAndAbsentDateIsNull) {
  google::type::Date date;
  date.set_year(2024);
  date.set_month(2);
  date.set_day(29);
  pqxx::row row = One("SELECT NULLIF($1, '')::date::text, NULLIF($2, '')::date::text",
                      {DateParam(true, date), DateParam(false, date)});
  EXPECT_EQ(row[0].as<std::string>(), "2024-02-29");
  google::type::Date read;
  ASSERT_TRUE(ReadDate(row[0], &read));
  EXPECT_EQ(read.year(), 2024);
  EXPECT_EQ(read.month(), 2);
  EXPECT_EQ(read.day(), 29);
  EXPECT_TRUE(row[1].is_null());
  EXPECT_FALSE(ReadDate(row[1], &read));
}

TEST(DateTest, ParseIsoDateTakesOnlyThreeNumbers) {
  google::type::Date date;
  EXPECT_TRUE(ParseIsoDate("1901-12-31", &date));
  EXPECT_EQ(date.year(), 1901);
  EXPECT_EQ(date.month(), 12);
  EXPECT_EQ(date.day(), 31);
  for (const char* bad : {"", "2024-02", "2024/02/29", "2024-02-2x", "2024-02-29-01"}) {
    EXPECT_FALSE(ParseIsoDate(bad, &date)) << bad;
  }
}

TEST_F(ValuesTest, TextArraysKeepAwkwardElements) {
  std::vector<std::string> values = {"plain", "a,b", "{brace}", "quote\"d", "back\\slash", ""};
  pqxx::row row = One("SELECT $1::text[], cardinality($1::text[])", {PgArray(values)});
  EXPECT_EQ(row[1].as<int>(), 6);
  EXPECT_EQ(ReadTextArray(row[0]), values);
}

TEST_F(ValuesTest, TextArraysSkipNullElementsAndNullColumns) {
  pqxx::row row = One("SELECT ARRAY['a', NULL, 'b']::text[], NULL::text[], '{}'::text[]");
  EXPECT_THAT(ReadTextArray(row[0]), ElementsAre("a", "b"));
  EXPECT_THAT(ReadTextArray(row[1]), IsEmpty());
  EXPECT_THAT(ReadTextArray(row[2]), IsEmpty());
}

TEST_F(ValuesTest, OptionalNumberIsNullWhenAbsent) {
  pqxx::row row = One("SELECT NULLIF($1, '')::bigint, NULLIF($2, '')::bigint",
                      {OptionalNumber(true, -12), OptionalNumber(false, 7)});
  EXPECT_EQ(row[0].as<int64_t>(), -12);
  EXPECT_TRUE(row[1].is_null());
}

TEST_F(ValuesTest, MessagesRoundTripThroughByteaEvenWhenEncodeBreaksLines) {
  google::protobuf::StringValue message;
  message.set_value(std::string(300, 'x'));  // encode() breaks its output every 76 characters
  pqxx::row row = One("SELECT encode(decode($1, 'base64'), 'base64')", {ToBase64(message)});
  ASSERT_NE(row[0].as<std::string>().find('\n'), std::string::npos);
  google::protobuf::StringValue read;
  ASSERT_TRUE(FromBase64(row[0], &read));
  EXPECT_EQ(read.value(), message.value());
}

TEST_F(ValuesTest, FromBase64RefusesTextThatIsNotAMessage) {
  pqxx::row row = One("SELECT 'not base64!'::text, encode('\\xff'::bytea, 'base64')");
  google::protobuf::StringValue read;
  EXPECT_FALSE(FromBase64(row[0], &read));
  EXPECT_FALSE(FromBase64(row[1], &read));
}

}  // namespace
}  // namespace maillage::db

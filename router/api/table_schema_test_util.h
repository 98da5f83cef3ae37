// Helpers shared by the table_schema.h tests (table_schema_test.cc,
// table_update_test.cc, table_description_test.cc): the error matcher, the
// fixed clock, JSON parsing, CreateTable shortcuts and UpdateTable targets.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/json/object.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/string_view.hpp"
#include "boost/json/value.hpp"
#include "common/base/error_details.h"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/api/table_schema.h"
#include "tern/v1/control.pb.h"

namespace tern::router::table_schema_testing {

// The status carries this error kind and a message matching message (a
// string compares for equality).
MATCHER_P2(HasError, kind, message, "") {
  const absl::Status& status = ::tern::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return !status.ok() && base::GetErrorKind(status) == kind &&
         ::testing::ExplainMatchResult(message, std::string(status.message()), result_listener);
}

// 2023-11-14T22:13:20.123Z, a Tuesday.
inline absl::Time Now() { return absl::FromUnixMillis(1700000000123); }

inline boost::json::object Json(absl::string_view text) {
  boost::system::error_code ec;
  boost::json::value value =
      boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  EXPECT_FALSE(ec) << text;
  if (boost::json::object* object = value.if_object()) return *object;
  ADD_FAILURE() << "not a JSON object: " << text;
  return {};
}

inline absl::StatusOr<tern::v1::TableDescriptor> Create(absl::string_view request) {
  return ParseCreateTable(Json(request), Now());
}

inline std::string Repeat(char c, int n) { return std::string(static_cast<size_t>(n), c); }

inline std::vector<std::string> Keys(const boost::json::object& object) {
  std::vector<std::string> keys;
  for (const boost::json::key_value_pair& member : object) {
    keys.emplace_back(member.key().data(), member.key().size());
  }
  return keys;
}

// A request body "{<members>}" of a valid HASH(a) + RANGE(b) PROVISIONED table.
inline std::string RangeTable(absl::string_view extra) {
  return absl::StrCat(
      R"({"TableName":"abc",)"
      R"("AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
      R"({"AttributeName":"b","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1})",
      extra,
      "}");
}

inline constexpr char kNotNull[] = "failed to satisfy constraint: Member must not be null";
inline constexpr char kPattern[] =
    "failed to satisfy constraint: Member must satisfy regular expression pattern: "
    "[a-zA-Z0-9_.-]+";

// A CreateTable result made ACTIVE (with its GSIs), as an UpdateTable target.
inline tern::v1::TableDescriptor Active(absl::string_view create_request) {
  absl::StatusOr<tern::v1::TableDescriptor> table = Create(create_request);
  EXPECT_THAT(table, ::tern::testing::IsOk());
  tern::v1::TableDescriptor out = table.value_or(tern::v1::TableDescriptor());
  out.set_status("ACTIVE");
  for (tern::v1::SecondaryIndex& index : *out.mutable_global_indexes()) index.set_status("ACTIVE");
  return out;
}

inline tern::v1::TableDescriptor ProvisionedTable() {
  return Active(
      R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})");
}

inline tern::v1::TableDescriptor OnDemandTableWithIndex() {
  return Active(
      R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
      R"({"AttributeName":"a","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"gs1","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"ALL"}}]})");
}

}  // namespace tern::router::table_schema_testing

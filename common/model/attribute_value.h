// AttributeValue: one DynamoDB attribute value of any of the ten types (S, N,
// B, BOOL, NULL, L, M, SS, NS, BS); Item: attribute names to values. Also
// everything that reads or writes them whole:
//   - DynamoDB's wire JSON ({"S":"x"}, {"N":"12.5"}, ...), parsed with
//     DynamoDB's validation and exact error messages, and written back;
//   - DynamoDB's item size arithmetic;
//   - Tern's compact binary storage encoding (docs/formats/item-encoding.md).
//
// Numbers are exact decimals (model::Number), never doubles. M is an ordered
// std::map, so iteration, JSON output and the binary encoding are
// deterministic. Sets keep their elements in insertion order but compare equal
// regardless of it.
//
// Errors: ParseAttributeValue/ParseItem return kInvalidArgument carrying a
// base::ErrorKind payload (common/base/error_details.h): kSerialization where
// DynamoDB answers SerializationException (JSON of the wrong shape, bad
// Base64), kValidation where it answers ValidationException. DecodeItem returns
// kDataLoss on corrupt bytes.
//
// AttributeValue and Item are value types, thread-compatible; the free
// functions are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/json/value.hpp"
#include "common/model/number.h"

namespace tern::model {

// The ten DynamoDB types, in the order of the wire names "S", "N", "B",
// "BOOL", "NULL", "L", "M", "SS", "NS", "BS".
enum class AttributeType : uint8_t { kS, kN, kB, kBool, kNull, kL, kM, kSS, kNS, kBS };

// The wire name of type ("S", "BOOL", "NS", ...).
absl::string_view AttributeTypeName(AttributeType type);

// DynamoDB's document nesting limit: a top-level attribute value is at level 1
// and the elements of an L or M at level n are at level n + 1; no value may sit
// deeper than this.
inline constexpr int kMaxNestingDepth = 32;

class AttributeValue;

// An item (or an M value): attribute names, in byte order, to values.
using Item = std::map<std::string, AttributeValue>;

namespace internal {

// Value-semantic indirection, so that AttributeValue can hold an Item while
// AttributeValue is still incomplete. A moved-from Boxed reads as an empty T.
template <typename T>
class Boxed {
 public:
  Boxed() = default;
  explicit Boxed(T value) : ptr_(std::make_unique<T>(std::move(value))) {}
  Boxed(const Boxed& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  Boxed(Boxed&& other) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) ptr_ = other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&& other) noexcept = default;

  const T& get() const {
    static const T* const kEmpty = new T();
    return ptr_ ? *ptr_ : *kEmpty;
  }
  T* mutable_get() {
    if (!ptr_) ptr_ = std::make_unique<T>();
    return ptr_.get();
  }

 private:
  std::unique_ptr<T> ptr_;
};

}  // namespace internal

class AttributeValue {
 public:
  // NULL.
  AttributeValue();

  // Factories, one per type. They check nothing: sets should be non-empty with
  // distinct elements and L/M no deeper than kMaxNestingDepth, as
  // ParseAttributeValue guarantees and EncodeItem requires.
  static AttributeValue S(std::string value);
  static AttributeValue N(Number value);
  // value holds raw bytes, not Base64.
  static AttributeValue B(std::string value);
  static AttributeValue Bool(bool value);
  static AttributeValue Null();
  static AttributeValue L(std::vector<AttributeValue> values);
  static AttributeValue M(Item values);
  static AttributeValue SS(std::vector<std::string> values);
  static AttributeValue NS(std::vector<Number> values);
  // values hold raw bytes, not Base64.
  static AttributeValue BS(std::vector<std::string> values);

  AttributeType type() const { return static_cast<AttributeType>(value_.index()); }

  // Accessors. REQUIRES: type() is the accessor's type (checked: a mismatch
  // aborts the process).
  const std::string& s() const;
  const Number& n() const;
  const std::string& b() const;
  bool bool_value() const;
  const std::vector<AttributeValue>& l() const;
  const Item& m() const;
  const std::vector<std::string>& ss() const;
  const std::vector<Number>& ns() const;
  const std::vector<std::string>& bs() const;
  std::vector<AttributeValue>* mutable_l();
  Item* mutable_m();

  // Same type and same value: N by numeric value ("1" == "1.00"); SS, NS and
  // BS as sets (order ignored); L element by element; M by names and values.
  friend bool operator==(const AttributeValue& a, const AttributeValue& b);

 private:
  // One alternative per AttributeType, at the index of its enumerator; S and
  // B, and SS and BS, share a C++ type and are told apart by the index.
  using Storage = std::variant<std::string,                  // S
                               Number,                       // N
                               std::string,                  // B
                               bool,                         // BOOL
                               std::monostate,               // NULL
                               std::vector<AttributeValue>,  // L
                               internal::Boxed<Item>,        // M
                               std::vector<std::string>,     // SS
                               std::vector<Number>,          // NS
                               std::vector<std::string>>;    // BS

  explicit AttributeValue(Storage value) : value_(std::move(value)) {}

  Storage value_;
};

// --- Errors ---------------------------------------------------------------

// kInvalidArgument with message, tagged base::ErrorKind::kValidation
// (DynamoDB's ValidationException).
absl::Status ValidationError(absl::string_view message);
// kInvalidArgument with message, tagged base::ErrorKind::kSerialization
// (DynamoDB's SerializationException).
absl::Status SerializationError(absl::string_view message);
// Whether status carries the kSerialization tag.
bool IsSerializationError(const absl::Status& status);

// --- Wire JSON ------------------------------------------------------------

// The SerializationException DynamoDB answers when a member that must be a
// JSON string (or null) is something else; OK for strings and null. Shared by
// every request parser so the texts stay identical.
absl::Status CheckJsonString(const boost::json::value& value);

// Reads one AttributeValue in DynamoDB's wire JSON. Unknown members and
// members whose value is JSON null are ignored, as DynamoDB does. Returns
// kInvalidArgument, tagged as above, with the first error DynamoDB would
// report: shape (serialization) errors anywhere in json come before any
// validation error; validation errors come in document order. The messages are
// DynamoDB's, bare (operations add their own envelope, e.g. PutItem's
// "1 validation error detected: " before the nesting error).
// Note: boost::json::parse stops at 32 JSON levels by default; a request parser
// must raise parse_options::max_depth (each level of L or M takes two) for
// 32-level documents to arrive here at all.
absl::StatusOr<AttributeValue> ParseAttributeValue(const boost::json::value& json);

// Reads an item: a JSON object of attribute names to wire AttributeValues (a
// JSON null reads as an empty item). Errors as for ParseAttributeValue, with
// every attribute value at nesting level 1.
absl::StatusOr<Item> ParseItem(const boost::json::value& json);

// DynamoDB's wire JSON for value: N as its canonical text (Number::ToString),
// B and BS as padded Base64, sets in their stored order.
boost::json::value ToJson(const AttributeValue& value);
// A JSON object of the item's attributes, in name order.
boost::json::value ToJson(const Item& item);

// Appends the JSON text of ToJson(value) / ToJson(item), byte for byte as
// boost::json::serialize writes it, without building the tree.
void AppendJson(const AttributeValue& value, std::string* out);
void AppendJson(const Item& item, std::string* out);

// --- Size -----------------------------------------------------------------

// The bytes value counts for in DynamoDB's item size:
//   S: UTF-8 bytes          B: raw bytes        N: Number::SizeBytes()
//   BOOL, NULL: 1           SS, NS, BS: the sum of their elements' sizes
//   L: 3 + sum over elements of (1 + element size)
//   M: 3 + sum over entries of (1 + UTF-8 bytes of the name + value size)
int64_t AttributeValueSize(const AttributeValue& value);

// DynamoDB's item size: the sum over attributes of (UTF-8 bytes of the name +
// AttributeValueSize of the value). Compared against the 400 KB item limit.
int64_t ItemSize(const Item& item);

// --- Storage encoding -----------------------------------------------------

// The item in Tern's binary storage format (docs/formats/item-encoding.md).
// REQUIRES: item as ParseItem produces it (non-empty sets of distinct
// elements, nesting at most kMaxNestingDepth); DecodeItem refuses anything else.
std::string EncodeItem(const Item& item);

// The item that bytes encode. kDataLoss when bytes are not a valid encoding
// (truncated, corrupt, unknown version); never crashes, whatever the input.
absl::StatusOr<Item> DecodeItem(absl::string_view bytes);

// Appends AppendJson(*DecodeItem(bytes)) and sets *size to
// ItemSize(*DecodeItem(bytes)), reading the encoding once without building
// the Item; the same kDataLoss as DecodeItem (out then holds a partial text).
absl::Status AppendEncodedItemJson(absl::string_view bytes, std::string* out, int64_t* size);

// ItemSize(*DecodeItem(bytes)), with DecodeItem's checks and errors, without
// building the Item: checks an encoded item and sizes it.
absl::StatusOr<int64_t> EncodedItemSize(absl::string_view bytes);

}  // namespace tern::model

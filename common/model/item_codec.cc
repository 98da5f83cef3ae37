// The storage encoding of an Item (EncodeItem / DecodeItem, declared in
// attribute_value.h): a version byte, then each attribute as its name and a
// tagged value, lengths and counts as varints. DecodeItem answers DataLoss
// ("corrupt item encoding: ...") for anything EncodeItem cannot produce.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/base/json_string.h"
#include "common/base/status_macros.h"
#include "common/model/attribute_value.h"
#include "common/model/base64.h"
#include "common/model/number.h"

namespace tern::model {
namespace {

using base::AppendJsonString;

constexpr uint8_t kFormatVersion = 0x01;

enum Tag : uint8_t {
  kTagS = 0x01,
  kTagN = 0x02,
  kTagB = 0x03,
  kTagFalse = 0x04,
  kTagTrue = 0x05,
  kTagNull = 0x06,
  kTagL = 0x07,
  kTagM = 0x08,
  kTagSS = 0x09,
  kTagNS = 0x0a,
  kTagBS = 0x0b,
};

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutBytes(absl::string_view bytes, std::string* out) {
  PutVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

void EncodeValue(const AttributeValue& value, std::string* out) {
  switch (value.type()) {
    case AttributeType::kS:
      out->push_back(static_cast<char>(kTagS));
      PutBytes(value.s(), out);
      break;
    case AttributeType::kN:
      out->push_back(static_cast<char>(kTagN));
      out->append(value.n().EncodeOrdered());
      break;
    case AttributeType::kB:
      out->push_back(static_cast<char>(kTagB));
      PutBytes(value.b(), out);
      break;
    case AttributeType::kBool:
      out->push_back(static_cast<char>(value.bool_value() ? kTagTrue : kTagFalse));
      break;
    case AttributeType::kNull:
      out->push_back(static_cast<char>(kTagNull));
      break;
    case AttributeType::kL:
      out->push_back(static_cast<char>(kTagL));
      PutVarint(value.l().size(), out);
      for (const AttributeValue& element : value.l()) EncodeValue(element, out);
      break;
    case AttributeType::kM:
      out->push_back(static_cast<char>(kTagM));
      PutVarint(value.m().size(), out);
      for (const auto& [name, element] : value.m()) {
        PutBytes(name, out);
        EncodeValue(element, out);
      }
      break;
    case AttributeType::kSS:
      out->push_back(static_cast<char>(kTagSS));
      PutVarint(value.ss().size(), out);
      for (const std::string& element : value.ss()) PutBytes(element, out);
      break;
    case AttributeType::kNS:
      out->push_back(static_cast<char>(kTagNS));
      PutVarint(value.ns().size(), out);
      for (const Number& element : value.ns()) out->append(element.EncodeOrdered());
      break;
    case AttributeType::kBS:
      out->push_back(static_cast<char>(kTagBS));
      PutVarint(value.bs().size(), out);
      for (const std::string& element : value.bs()) PutBytes(element, out);
      break;
  }
}

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("corrupt item encoding: ", what));
}

// Where the JSON walk writes: text, or nowhere (NoText: EncodedItemSize).
struct NoText {};
void Put(std::string* out, char c) { out->push_back(c); }
void Put(std::string* out, absl::string_view text) { out->append(text.data(), text.size()); }
void PutJsonString(absl::string_view text, std::string* out) { AppendJsonString(text, out); }
void Put(NoText*, char) {}
void Put(NoText*, absl::string_view) {}
void PutJsonString(absl::string_view, NoText*) {}

// Reads an encoding front to back; every read checks the bytes left.
class Decoder {
 public:
  explicit Decoder(absl::string_view input) : in_(input) {}

  bool done() const { return in_.empty(); }

  absl::StatusOr<uint8_t> ReadByte() {
    if (in_.empty()) return Corrupt("truncated");
    const uint8_t byte = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return byte;
  }

  absl::StatusOr<uint64_t> ReadVarint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      TERN_ASSIGN_OR_RETURN(const uint8_t byte, ReadByte());
      const uint64_t bits = byte & 0x7f;
      // The tenth byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && bits > 1) return Corrupt("varint overflow");
      value |= bits << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return Corrupt("varint too long");
  }

  // An element count: each element takes at least one byte, so a count larger
  // than the bytes left is corrupt (and never drives a huge allocation).
  absl::StatusOr<size_t> ReadCount() {
    TERN_ASSIGN_OR_RETURN(const uint64_t count, ReadVarint());
    if (count > in_.size()) return Corrupt("count exceeds input");
    return static_cast<size_t>(count);
  }

  absl::StatusOr<absl::string_view> ReadBytes() {
    TERN_ASSIGN_OR_RETURN(const uint64_t size, ReadVarint());
    if (size > in_.size()) return Corrupt("length exceeds input");
    absl::string_view bytes = in_.substr(0, static_cast<size_t>(size));
    in_.remove_prefix(static_cast<size_t>(size));
    return bytes;
  }

  absl::StatusOr<Number> ReadNumber() {
    absl::StatusOr<Number> number = Number::DecodeOrdered(&in_);
    if (!number.ok()) return Corrupt(number.status().message());
    return number;
  }

  // Entries of an item or M: names strictly increasing, as EncodeItem writes
  // them, so that every accepted encoding is the only one of its item.
  absl::Status ReadEntry(int depth, Item* item) {
    TERN_ASSIGN_OR_RETURN(absl::string_view name, ReadBytes());
    if (!item->empty() && absl::string_view(item->rbegin()->first) >= name) {
      return Corrupt("attribute names out of order");
    }
    TERN_ASSIGN_OR_RETURN(AttributeValue value, ReadValue(depth));
    item->emplace_hint(item->end(), std::string(name), std::move(value));
    return absl::OkStatus();
  }

  // The JSON walk (AppendEncodedItemJson, EncodedItemSize): the same reads
  // and checks as ReadEntry / ReadValue, writing JSON to out (a std::string,
  // or a NoText that drops it) and adding up the size instead.
  template <typename Out>
  absl::Status WriteEntryJson(int depth,
                              std::optional<absl::string_view>* last_name,
                              Out* out,
                              int64_t* size) {
    TERN_ASSIGN_OR_RETURN(absl::string_view name, ReadBytes());
    if (last_name->has_value() && **last_name >= name) {
      return Corrupt("attribute names out of order");
    }
    *last_name = name;
    PutJsonString(name, out);
    Put(out, ':');
    *size += static_cast<int64_t>(name.size());
    return WriteValueJson(depth, out, size);
  }

  template <typename Out>
  absl::Status WriteValueJson(int depth, Out* out, int64_t* size) {
    constexpr bool kText = std::is_same_v<Out, std::string>;
    if (depth > kMaxNestingDepth) return Corrupt("nesting too deep");
    TERN_ASSIGN_OR_RETURN(const uint8_t tag, ReadByte());
    // The value's opening, e.g. {"S": (literal: one append).
    auto type = [out](absl::string_view opening) { Put(out, opening); };
    switch (tag) {
      case kTagS:
      case kTagB: {
        TERN_ASSIGN_OR_RETURN(absl::string_view bytes, ReadBytes());
        type(tag == kTagS ? "{\"S\":" : "{\"B\":");
        if constexpr (kText) {
          PutJsonString(tag == kTagS ? bytes : absl::string_view(Base64Encode(bytes)), out);
        }
        *size += static_cast<int64_t>(bytes.size());
        break;
      }
      case kTagN: {
        TERN_ASSIGN_OR_RETURN(Number number, ReadNumber());
        type("{\"N\":");
        if constexpr (kText) PutJsonString(number.ToString(), out);
        *size += number.SizeBytes();
        break;
      }
      case kTagFalse:
      case kTagTrue:
        type("{\"BOOL\":");
        Put(out, tag == kTagTrue ? "true" : "false");
        *size += 1;
        break;
      case kTagNull:
        type("{\"NULL\":");
        Put(out, "true");
        *size += 1;
        break;
      case kTagL: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        type("{\"L\":");
        Put(out, '[');
        *size += 3;
        for (size_t i = 0; i < count; ++i) {
          if (i > 0) Put(out, ',');
          *size += 1;
          TERN_RETURN_IF_ERROR(WriteValueJson(depth + 1, out, size));
        }
        Put(out, ']');
        break;
      }
      case kTagM: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        type("{\"M\":");
        Put(out, '{');
        *size += 3;
        std::optional<absl::string_view> last_name;
        for (size_t i = 0; i < count; ++i) {
          if (i > 0) Put(out, ',');
          *size += 1;
          TERN_RETURN_IF_ERROR(WriteEntryJson(depth + 1, &last_name, out, size));
        }
        Put(out, '}');
        break;
      }
      case kTagSS:
      case kTagBS: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        if (count == 0) return Corrupt("empty set");
        type(tag == kTagSS ? "{\"SS\":" : "{\"BS\":");
        Put(out, '[');
        std::set<absl::string_view> seen;
        for (size_t i = 0; i < count; ++i) {
          TERN_ASSIGN_OR_RETURN(absl::string_view bytes, ReadBytes());
          if (!seen.insert(bytes).second) return Corrupt("duplicate set element");
          if (i > 0) Put(out, ',');
          if (tag == kTagSS) {
            PutJsonString(bytes, out);
          } else if constexpr (kText) {
            PutJsonString(Base64Encode(bytes), out);
          }
          *size += static_cast<int64_t>(bytes.size());
        }
        Put(out, ']');
        break;
      }
      case kTagNS: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        if (count == 0) return Corrupt("empty set");
        type("{\"NS\":");
        Put(out, '[');
        std::set<Number> seen;
        for (size_t i = 0; i < count; ++i) {
          TERN_ASSIGN_OR_RETURN(Number number, ReadNumber());
          if (i > 0) Put(out, ',');
          if constexpr (kText) PutJsonString(number.ToString(), out);
          *size += number.SizeBytes();
          if (!seen.insert(std::move(number)).second) return Corrupt("duplicate set element");
        }
        Put(out, ']');
        break;
      }
      default:
        return Corrupt(absl::StrCat("unknown type tag ", tag));
    }
    Put(out, '}');
    return absl::OkStatus();
  }

  absl::StatusOr<AttributeValue> ReadValue(int depth) {
    if (depth > kMaxNestingDepth) return Corrupt("nesting too deep");
    TERN_ASSIGN_OR_RETURN(const uint8_t tag, ReadByte());
    switch (tag) {
      case kTagS: {
        TERN_ASSIGN_OR_RETURN(absl::string_view bytes, ReadBytes());
        return AttributeValue::S(std::string(bytes));
      }
      case kTagN: {
        TERN_ASSIGN_OR_RETURN(Number number, ReadNumber());
        return AttributeValue::N(std::move(number));
      }
      case kTagB: {
        TERN_ASSIGN_OR_RETURN(absl::string_view bytes, ReadBytes());
        return AttributeValue::B(std::string(bytes));
      }
      case kTagFalse:
        return AttributeValue::Bool(false);
      case kTagTrue:
        return AttributeValue::Bool(true);
      case kTagNull:
        return AttributeValue::Null();
      case kTagL: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        std::vector<AttributeValue> values;
        values.reserve(count);
        for (size_t i = 0; i < count; ++i) {
          TERN_ASSIGN_OR_RETURN(AttributeValue value, ReadValue(depth + 1));
          values.push_back(std::move(value));
        }
        return AttributeValue::L(std::move(values));
      }
      case kTagM: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        Item values;
        for (size_t i = 0; i < count; ++i) TERN_RETURN_IF_ERROR(ReadEntry(depth + 1, &values));
        return AttributeValue::M(std::move(values));
      }
      case kTagSS:
      case kTagBS: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        if (count == 0) return Corrupt("empty set");
        std::vector<std::string> values;
        values.reserve(count);
        std::set<absl::string_view> seen;
        for (size_t i = 0; i < count; ++i) {
          TERN_ASSIGN_OR_RETURN(absl::string_view bytes, ReadBytes());
          if (!seen.insert(bytes).second) return Corrupt("duplicate set element");
          values.emplace_back(bytes);
        }
        return tag == kTagSS ? AttributeValue::SS(std::move(values))
                             : AttributeValue::BS(std::move(values));
      }
      case kTagNS: {
        TERN_ASSIGN_OR_RETURN(const size_t count, ReadCount());
        if (count == 0) return Corrupt("empty set");
        std::vector<Number> values;
        values.reserve(count);
        std::set<Number> seen;
        for (size_t i = 0; i < count; ++i) {
          TERN_ASSIGN_OR_RETURN(Number number, ReadNumber());
          if (!seen.insert(number).second) return Corrupt("duplicate set element");
          values.push_back(std::move(number));
        }
        return AttributeValue::NS(std::move(values));
      }
      default:
        return Corrupt(absl::StrCat("unknown type tag ", tag));
    }
  }

 private:
  absl::string_view in_;
};

}  // namespace

std::string EncodeItem(const Item& item) {
  std::string out;
  out.push_back(static_cast<char>(kFormatVersion));
  for (const auto& [name, value] : item) {
    PutBytes(name, &out);
    EncodeValue(value, &out);
  }
  return out;
}

absl::StatusOr<Item> DecodeItem(absl::string_view bytes) {
  Decoder decoder(bytes);
  TERN_ASSIGN_OR_RETURN(const uint8_t version, decoder.ReadByte());
  if (version != kFormatVersion) return Corrupt(absl::StrCat("unknown version ", version));
  Item item;
  while (!decoder.done()) TERN_RETURN_IF_ERROR(decoder.ReadEntry(1, &item));
  return item;
}

absl::Status AppendEncodedItemJson(absl::string_view bytes, std::string* out, int64_t* size) {
  Decoder decoder(bytes);
  TERN_ASSIGN_OR_RETURN(const uint8_t version, decoder.ReadByte());
  if (version != kFormatVersion) return Corrupt(absl::StrCat("unknown version ", version));
  *size = 0;
  // Room for the usual case (strings without escapes: a few bytes of JSON
  // per attribute over its encoding), so that the text is not copied as it
  // grows.
  out->reserve(out->size() + bytes.size() + bytes.size() / 4 + 64);
  out->push_back('{');
  std::optional<absl::string_view> last_name;
  for (bool first = true; !decoder.done(); first = false) {
    if (!first) out->push_back(',');
    TERN_RETURN_IF_ERROR(decoder.WriteEntryJson(1, &last_name, out, size));
  }
  out->push_back('}');
  return absl::OkStatus();
}

absl::StatusOr<int64_t> EncodedItemSize(absl::string_view bytes) {
  Decoder decoder(bytes);
  TERN_ASSIGN_OR_RETURN(const uint8_t version, decoder.ReadByte());
  if (version != kFormatVersion) return Corrupt(absl::StrCat("unknown version ", version));
  int64_t size = 0;
  NoText nowhere;
  std::optional<absl::string_view> last_name;
  while (!decoder.done()) {
    TERN_RETURN_IF_ERROR(decoder.WriteEntryJson(1, &last_name, &nowhere, &size));
  }
  return size;
}

}  // namespace tern::model

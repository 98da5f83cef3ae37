// Union and difference of DynamoDB set values (SS, NS, BS) kept in insertion
// order, as ADD and DELETE on sets need them. Elements compare with ==
// (numbers by value). Quadratic, which is fine for sets that fit in a 400 KB
// item. Thread-compatible.
#pragma once

#include <algorithm>
#include <vector>

namespace tern::model {

// a followed by the elements of b that a lacks.
template <typename T>
std::vector<T> SetUnion(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out = a;
  for (const T& x : b) {
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

// The elements of a that b lacks.
template <typename T>
std::vector<T> SetDifference(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out;
  for (const T& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

}  // namespace tern::model

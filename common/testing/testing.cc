#include "common/testing/testing.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/check.h"

namespace tern::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/tern-test-XXXXXX");
  TERN_CHECK(mkdtemp(pattern.data()) != nullptr) << "mkdtemp " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

uint64_t SeedRandom() {
  uint64_t seed = 0;
  const char* fixed = std::getenv("TERN_TEST_SEED");
  if (fixed == nullptr || !absl::SimpleAtoi(fixed, &seed)) {
    seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  }
  std::fprintf(stderr,
               "random seed: %llu (replay with TERN_TEST_SEED=%llu)\n",
               static_cast<unsigned long long>(seed),
               static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace tern::testing

# TERN_SANITIZE: empty, "address;undefined" or "thread".
set(TERN_SANITIZE "" CACHE STRING "Sanitizers to build with: address;undefined or thread")

if(TERN_SANITIZE)
  list(JOIN TERN_SANITIZE "," _tern_sanitizers)
  add_compile_options(-fsanitize=${_tern_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_tern_sanitizers})
  message(STATUS "Tern: sanitizers ${_tern_sanitizers}")
endif()

# GCC warns that TSan does not model std::atomic_thread_fence, which Boost.Asio
# uses; the warning is about the library, not our code.
if(TERN_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-tsan)
endif()

# TERN_FUZZ: build the libFuzzer targets (common/expr/fuzz). Needs clang. Every
# target is compiled with ASan + UBSan and libFuzzer's coverage
# instrumentation (-fsanitize=fuzzer-no-link); only the fuzzers link the
# libFuzzer driver. Build just the *_fuzzer targets in such a tree (see
# scripts/fuzz.sh): nothing else is meant to be built with these flags.
option(TERN_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(TERN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TERN_FUZZ needs clang (use the fuzz preset)")
  endif()
  if(TERN_SANITIZE)
    message(FATAL_ERROR "TERN_FUZZ brings its own sanitizers; leave TERN_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "Tern: libFuzzer targets with address,undefined")
endif()

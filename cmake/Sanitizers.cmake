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

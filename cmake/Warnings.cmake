# Warning flags reach every Tern target through the INTERFACE target
# tern_warnings; third-party headers are system includes and stay quiet.
option(TERN_WERROR "Treat warnings as errors" OFF)

add_library(tern_warnings INTERFACE)
target_compile_options(tern_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough
  -Werror=unused-result)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(tern_warnings INTERFACE -Wthread-safety)
endif()
if(TERN_WERROR)
  target_compile_options(tern_warnings INTERFACE -Werror)
endif()

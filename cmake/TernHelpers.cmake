# tern_cc_library / tern_cc_test, modelled on absl_cc_library.
#
# tern_cc_library(NAME foo HDRS ... SRCS ... DEPS ... [TESTONLY])
#   Creates target tern_foo and alias tern::foo. Header-only libraries (no SRCS)
#   become INTERFACE targets. Includes are written from the repository root.
# tern_cc_test(NAME foo_test SRCS ... DEPS ... [LABELS unit|sim|integration])
#   Creates a gtest binary linked with gtest_main and registers its tests with
#   CTest through gtest_discover_tests; the default label is "unit".
include(GoogleTest)

function(tern_cc_library)
  cmake_parse_arguments(T "TESTONLY" "NAME" "HDRS;SRCS;DEPS" ${ARGN})
  set(target tern_${T_NAME})
  if(T_SRCS)
    add_library(${target} STATIC ${T_SRCS} ${T_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${T_DEPS} PRIVATE tern_warnings)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${T_DEPS})
  endif()
  add_library(tern::${T_NAME} ALIAS ${target})
endfunction()

function(tern_cc_binary)
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} tern_warnings)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

function(tern_cc_test)
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest_main tern_warnings)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()

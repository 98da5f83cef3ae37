# Use ccache when it is installed. The build scripts set CCACHE_BASEDIR to the
# source tree and CCACHE_NOHASHDIR so that two clones of the repository share
# cache hits.
find_program(TERN_CCACHE ccache)
if(TERN_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${TERN_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${TERN_CCACHE})
  message(STATUS "Tern: using ccache at ${TERN_CCACHE}")
endif()

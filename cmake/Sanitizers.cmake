# TERN_SANITIZE: empty, "address;undefined" or "thread".
set(TERN_SANITIZE "" CACHE STRING "Sanitizers to build with: address;undefined or thread")

if(TERN_SANITIZE)
  list(JOIN TERN_SANITIZE "," _tern_sanitizers)
  add_compile_options(-fsanitize=${_tern_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_tern_sanitizers})
  message(STATUS "Tern: sanitizers ${_tern_sanitizers}")
endif()

# TESSERA_SANITIZE: a list of GCC/Clang sanitizers for every target of the
# build (presets `asan` = "address;undefined", `tsan` = "thread"). Undefined
# behaviour stops the program at the first report (-fno-sanitize-recover), so
# a test that hits it fails instead of printing a line nobody reads. The
# run-time options and the third-party suppressions are in tests/sanitizers/.
set(TESSERA_SANITIZE "" CACHE STRING "Sanitizers for every target: address;undefined or thread")
if(TESSERA_SANITIZE)
  list(JOIN TESSERA_SANITIZE "," _tessera_san)
  add_compile_options(-fsanitize=${_tessera_san} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_tessera_san})
  if("undefined" IN_LIST TESSERA_SANITIZE)
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  message(STATUS "tessera: sanitizers ${_tessera_san}")
endif()

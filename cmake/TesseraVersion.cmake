# Build metadata recorded in every perf report.
find_package(Git QUIET)
# The git SHA is read at build time, not configure time (see WriteGitSha.cmake):
# generated once now so the source exists, then refreshed by every build.
set(TESSERA_GIT_SHA_CPP ${CMAKE_BINARY_DIR}/generated/git_sha.cpp)
set(_tessera_sha_args -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${TESSERA_GIT_SHA_CPP}
    -DGIT=${GIT_EXECUTABLE} -P ${CMAKE_SOURCE_DIR}/cmake/WriteGitSha.cmake)
execute_process(COMMAND ${CMAKE_COMMAND} ${_tessera_sha_args})
add_custom_target(tessera_git_sha COMMAND ${CMAKE_COMMAND} ${_tessera_sha_args}
                  BYPRODUCTS ${TESSERA_GIT_SHA_CPP} VERBATIM)
set(TESSERA_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
# The flags that decide the generated code (benchmarks must say which build ran).
string(TOUPPER "${CMAKE_BUILD_TYPE}" _tessera_bt)
set(TESSERA_CODEGEN "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_tessera_bt}}")
if(TESSERA_NATIVE)
  string(APPEND TESSERA_CODEGEN " -march=native")
endif()
string(STRIP "${TESSERA_CODEGEN} -ffp-contract=off ${TESSERA_SAFE_CODEGEN}" TESSERA_CODEGEN)
string(REPLACE "\"" "\\\"" TESSERA_CODEGEN "${TESSERA_CODEGEN}")  # a C++ string literal
configure_file(${CMAKE_SOURCE_DIR}/cmake/build_info.hpp.in
               ${CMAKE_BINARY_DIR}/generated/tessera/build_info.hpp @ONLY)

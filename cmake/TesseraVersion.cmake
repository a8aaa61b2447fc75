# Build metadata recorded in every perf report.
find_package(Git QUIET)
set(TESSERA_GIT_SHA "unknown")
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                  OUTPUT_VARIABLE TESSERA_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET RESULT_VARIABLE _git_rc)
  if(NOT _git_rc EQUAL 0)
    set(TESSERA_GIT_SHA "unknown")
  endif()
endif()
# Reference data the pipelines need at run time (the DESI PCA templates):
# the source tree's sibling ../shared/data when present, otherwise the installed
# copy under share/tessera. TESSERA_SHARED_DATA in the environment overrides both.
if(EXISTS ${CMAKE_SOURCE_DIR}/../shared/data/baltools)
  get_filename_component(_tessera_data_default ${CMAKE_SOURCE_DIR}/../shared/data ABSOLUTE)
else()
  set(_tessera_data_default ${CMAKE_INSTALL_FULL_DATADIR}/tessera)
endif()
set(TESSERA_DATA_DIR ${_tessera_data_default} CACHE PATH "Run-time reference data (baltools/ templates)")
set(TESSERA_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/build_info.hpp.in
               ${CMAKE_BINARY_DIR}/generated/tessera/build_info.hpp @ONLY)

# Compiler defects that change results, probed with the build's own flags.
#
# GCC 12.2 at -O3 (-ftree-loop-distribution with the vectoriser) miscompiles a
# loop that fills count arrays and sums earlier counts into displacements in
# the same pass: it was the cause of issue 14 (MPI receive displacements all
# zero, so `healpix split` at 2 ranks wrote rows into the wrong pixel's file
# and `tiles dod --aggregate median` hung). Tessera's code no longer has that
# loop (core::displacements sums complete counts), but other loops may share
# the shape the compiler gets wrong: when the probe fails, the pass is turned
# off for Tessera's targets (TESSERA_SAFE_CODEGEN, applied by
# tessera_set_warnings) and the build says so. Clang and fixed GCCs pass the
# probe and keep the pass.
# TESSERA_PROBE_COMPILER=OFF skips the probes (to check that Tessera's code
# alone is right under the full optimiser, as the Release suite did in issue 14).
option(TESSERA_PROBE_COMPILER "Probe for known wrong-code compiler passes and turn them off" ON)
set(TESSERA_SAFE_CODEGEN "")
string(TOUPPER "${CMAKE_BUILD_TYPE}" _tessera_probe_bt)
set(_tessera_probe_flags "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_tessera_probe_bt}} -ffp-contract=off")
if(TESSERA_NATIVE)
  string(APPEND _tessera_probe_flags " -march=native")
endif()
separate_arguments(_tessera_probe_list UNIX_COMMAND "${_tessera_probe_flags}")
if(TESSERA_PROBE_COMPILER AND NOT CMAKE_CROSSCOMPILING)
  # Probed at every configure: a cached result would outlive a change of
  # build type or compiler flags in the same build directory.
  unset(_tessera_loopdist_run CACHE)
  unset(_tessera_loopdist_compiled CACHE)
  try_run(_tessera_loopdist_run _tessera_loopdist_compiled
          ${CMAKE_BINARY_DIR}/probes/loop_distribution
          ${CMAKE_CURRENT_LIST_DIR}/probes/loop_distribution.cpp
          COMPILE_DEFINITIONS ${_tessera_probe_list}
          CXX_STANDARD 20)
  if(_tessera_loopdist_compiled AND NOT _tessera_loopdist_run EQUAL 0)
    set(TESSERA_SAFE_CODEGEN -fno-tree-loop-distribution)
    message(STATUS "tessera: ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} miscompiles "
            "the loop in cmake/probes/loop_distribution.cpp with '${_tessera_probe_flags}'; "
            "building Tessera's targets with -fno-tree-loop-distribution")
  endif()
endif()

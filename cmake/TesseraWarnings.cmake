# Strict warnings on Tessera's own targets only, never forced on consumers;
# and the code generation every Tessera target shares.
option(TESSERA_NATIVE "Generate code for this machine's CPU (-march=native)" OFF)

function(tessera_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wdouble-promotion
      -Wformat=2 -Wimplicit-fallthrough>)
  if(TESSERA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # No fused multiply-adds the source does not write: with an -march that
  # has FMA (TESSERA_NATIVE, or Spack's target flags) GCC would otherwise
  # fuse a*b+c, and the same input would give different bits depending on
  # the build (decoded LAS coordinates, distances compared for ties).
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C,CXX>:-ffp-contract=off>)
  if(TESSERA_NATIVE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C,CXX>:-march=native>)
  endif()
  # Passes the compiler is known to get wrong (cmake/TesseraCompilerChecks.cmake).
  if(TESSERA_SAFE_CODEGEN)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C,CXX>:${TESSERA_SAFE_CODEGEN}>)
  endif()
endfunction()

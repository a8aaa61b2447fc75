# Strict warnings on Tessera's own targets only, never forced on consumers.
function(tessera_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wdouble-promotion
      -Wformat=2 -Wimplicit-fallthrough>)
  if(TESSERA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

// libFuzzer target: the FSM output parser on arbitrary text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tessera/core/error.hpp"
#include "tessera/raster/fsm_output.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)tessera::raster::parse_fsm_text(text, "fuzz.txt");
  } catch (const tessera::Error& e) {
    // The promise: the message names the file. Otherwise stop here.
    if (std::string(e.what()).find("fuzz.txt") == std::string::npos)
      std::abort();
  }
  return 0;
}

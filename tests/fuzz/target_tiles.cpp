// Fuzz target `las`: the LAS reader as the tiles pipeline uses it (header,
// VLRs, CRS, extra bytes, every record decoded; LAZ seeds reach the laszip
// VLR, the chunk table and the chunk decoder).
#include <algorithm>
#include <vector>

#include "targets.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/tiles/tile_point.hpp"

namespace tessera::fuzz {
namespace {

void read_las(const std::filesystem::path& path) {
  io::LasReader r(path);
  const io::LasHeader& h = r.header();
  (void)h.crs();
  (void)h.extra_dimensions();
  const io::LasPointLayout layout = r.layout();
  // Reserving the whole file believes the point count, so it must be
  // checked at open.
  std::vector<tiles::TilePoint> points;
  points.reserve(r.point_count());
  constexpr std::uint64_t kChunk = 4096;
  for (std::uint64_t first = 0; first < r.point_count(); first += kChunk) {
    const std::uint64_t n = std::min(kChunk, r.point_count() - first);
    const auto records = r.read_records(first, n);
    const io::LasPointDecoder dec(h, layout);
    for (std::uint64_t i = 0; i < n; ++i)
      tiles::decode_point(dec, records.data() + i * h.record_length, first + i,
                          points.emplace_back());
  }
}

// Header fields that declare counts, sizes and offsets (LAS 1.4 Table 3), and
// the scale/offset/bounds doubles.
FormatTraits las_traits() {
  FormatTraits t;
  t.fields = {{94, 2, false, "header size"},     {96, 4, false, "offset to points"},
              {100, 4, false, "VLR count"},      {104, 1, false, "point format"},
              {105, 2, false, "record length"},  {107, 4, false, "legacy point count"},
              {227, 8, false, "waveform start"}, {235, 8, false, "EVLR start"},
              {243, 4, false, "EVLR count"},     {247, 8, false, "point count"}};
  const char* reals[] = {"x scale", "y scale", "z scale", "x offset", "y offset", "z offset"};
  for (int i = 0; i < 6; ++i)
    t.fields.push_back({131 + 8 * static_cast<std::size_t>(i), 8, true, reals[i]});
  for (int i = 0; i < 6; ++i)
    t.fields.push_back({179 + 8 * static_cast<std::size_t>(i), 8, true, "bounds"});
  return t;
}

const TargetRegistrar kLas{Target{
    "las",
    ".las",
    las_traits(),
    {test_data("pdal/100-points.las"), test_data("laspy/autzen_geo_proj.las"),
     test_data("laspy/test1_4.las"), test_data("laspy/1_4_w_evlr.las"),
     test_data("laspy/simple.laz"), test_data("laspy/extra.laz"), test_data("laspy/1_4_w_evlr.laz"),
     test_data("laspy/fullwave.laz"), test_data("laz-rs/point-version-1-point-wise.laz")},
    read_las}};

}  // namespace
}  // namespace tessera::fuzz

// Test helper: prints "row col fraction" for every covered cell of every
// feature of a polygon layer on a grid given as W H x0 dx y0 dy.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "tessera/io/gdal_vector.hpp"
#include "tessera/raster/coverage.hpp"

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr, "usage: %s layer idfield W H x0 dx y0 dy\n", argv[0]);
    return 2;
  }
  try {
    tessera::raster::RasterGrid g;
    g.width = std::atoi(argv[3]);
    g.height = std::atoi(argv[4]);
    g.transform = {std::atof(argv[5]), std::atof(argv[6]), 0.0, std::atof(argv[7]), 0.0,
                   std::atof(argv[8])};
    const auto feats = tessera::io::read_polygon_layer(argv[1], argv[2], "", "");
    for (const auto& f : feats) {
      const auto cov = tessera::raster::coverage_fractions(f.shape, g);
      for (std::size_t i = 0; i < cov.cell.size(); ++i) {
        std::printf("%s %lld %lld %.17g\n", f.id.c_str(),
                    static_cast<long long>(cov.cell[i] / g.width),
                    static_cast<long long>(cov.cell[i] % g.width), cov.fraction[i]);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 3;
  }
  return 0;
}

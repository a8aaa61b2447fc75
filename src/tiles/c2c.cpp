// Cloud-to-cloud distances; see include/tessera/tiles/c2c.hpp.
#include "tessera/tiles/c2c.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "tessera/tiles/kdtree.hpp"
#include "tessera/tiles/plane_fit.hpp"
#include "tessera/tiles/xy_grid_index.hpp"

namespace tessera::tiles {
C2cResult c2c_distances(const double* ref, std::size_t nref, std::size_t ref_stride,
                        const double* cmp, std::size_t ncmp, std::size_t cmp_stride,
                        const C2cOptions& options) {
  C2cResult out;
  out.distance.assign(ncmp, options.max_dist);
  out.beyond.assign(ncmp, 1);
  // Nearest distances come from a uniform x-y grid (terrain is 2.5-D: a
  // query's neighbours sit in a few contiguous runs of cells, several times
  // faster than a KD-tree descent); the vertical mode's k-nearest queries
  // from the KD-tree. Each is built only when its mode needs it.
  std::optional<XyGridIndex> grid;
  std::optional<KdTree> tree;
  if (options.vertical)
    tree.emplace(ref, nref, ref_stride);
  else
    grid.emplace(ref, nref, ref_stride);
  const double cap2 = options.max_dist * options.max_dist;
  const std::size_t k = static_cast<std::size_t>(options.k < 6 ? 6 : options.k);
  // Nearest queries in the grid's cell order, k-nearest ones in Z order:
  // neighbouring queries scan the same cells or tree nodes (cache reuse),
  // and each nearest query starts from its predecessor's answer.
  const std::vector<std::uint32_t> order = options.vertical
                                               ? detail::z_order(cmp, ncmp, cmp_stride)
                                               : grid->cell_order(cmp, ncmp, cmp_stride);
#pragma omp parallel
  {
    std::vector<std::uint32_t> idx;
    std::vector<double> d2;
    // The previous answer's slot in the grid: a close first candidate for
    // the next query (it only bounds the search; the answer, nearest with
    // ties to the smaller index, is the same from any start).
    std::uint32_t slot = XyGridIndex::kNoSlot;
#pragma omp for schedule(dynamic, 4096)
    for (std::size_t n = 0; n < ncmp; ++n) {
      const std::size_t i = order[n];
      const double* q = cmp + i * cmp_stride;
      if (!options.vertical) {
        std::uint32_t j = 0;
        double dd = 0;
        if (grid->nearest(q, j, dd, cap2, &slot) && dd <= cap2) {
          out.distance[i] = std::sqrt(dd);
          out.beyond[i] = 0;
        }
        continue;
      }
      // Vertical mode: all k neighbours must lie within the cap, or the
      // answer could depend on the tile's halo.
      if (tree->knn(q, k, idx, d2, cap2) < k)
        continue;
      PlaneFit fit = fit_plane(ref, ref_stride, idx);
      if (!fit.ok)
        continue;
      Eigen::Vector3d p(q[0], q[1], q[2]);
      out.distance[i] = fit.normal.dot(p - fit.centroid);
      out.beyond[i] = 0;
    }
  }
  return out;
}

C2cResult c2c_distances(const std::vector<TilePoint>& reference,
                        const std::vector<TilePoint>& compared, const C2cOptions& options) {
  return c2c_distances(&reference.data()->x, reference.size(), kTilePointStride,
                       &compared.data()->x, compared.size(), kTilePointStride, options);
}

}  // namespace tessera::tiles

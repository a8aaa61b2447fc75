// Cloud-to-cloud distances; see include/tessera/tiles/c2c.hpp.
#include "tessera/tiles/c2c.hpp"

#include <cmath>
#include <limits>

#include "tessera/tiles/kdtree.hpp"
#include "tessera/tiles/plane_fit.hpp"

namespace tessera::tiles {

C2cResult c2c_distances(const double* ref, std::size_t nref, std::size_t ref_stride,
                        const double* cmp, std::size_t ncmp, std::size_t cmp_stride,
                        const C2cOptions& options) {
  C2cResult out;
  out.distance.assign(ncmp, options.max_dist);
  out.beyond.assign(ncmp, 1);
  const KdTree tree(ref, nref, ref_stride);
  const double cap2 = options.max_dist * options.max_dist;
  const std::size_t k = static_cast<std::size_t>(options.k < 6 ? 6 : options.k);
#pragma omp parallel
  {
    std::vector<std::uint32_t> idx;
    std::vector<double> d2;
#pragma omp for schedule(dynamic, 1024)
    for (std::size_t i = 0; i < ncmp; ++i) {
      const double* q = cmp + i * cmp_stride;
      if (!options.vertical) {
        std::uint32_t j = 0;
        double dist2 = 0;
        if (tree.nearest(q, j, dist2, cap2)) {
          out.distance[i] = std::sqrt(dist2);
          out.beyond[i] = 0;
        }
        continue;
      }
      // Vertical mode: all k neighbours must lie within the cap, or the
      // answer could depend on the tile's halo.
      if (tree.knn(q, k, idx, d2, cap2) < k)
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

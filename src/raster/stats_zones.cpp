// Zones of `raster stats`; see include/tessera/raster/stats_zones.hpp.
#include "tessera/raster/stats_zones.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "tessera/core/error.hpp"

namespace tessera::raster {

std::vector<ZoneShape> make_zones(const std::vector<io::PolygonFeature>& features,
                                  DuplicateIds duplicates, bool groups, const std::string& file,
                                  const std::string& id_field) {
  // Features of each id, in order of first appearance.
  std::vector<std::vector<const io::PolygonFeature*>> by_id;
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < features.size(); ++k) {
    const auto& f = features[k];
    const auto [it, fresh] = index.emplace(f.id, by_id.size());
    if (fresh) {
      by_id.emplace_back();
    } else if (duplicates == DuplicateIds::kError) {
      // Both the features' numbers in layer order and their FIDs: GeoJSON's
      // FID may be the "id" member itself, the same for both.
      const auto* first = by_id[it->second].front();
      const auto n0 = static_cast<std::size_t>(first - features.data()) + 1;
      throw FormatError(fmt::format("{} value '{}' appears in features {} and {} (FID {} and {}); "
                                    "--duplicate-ids merge makes one zone of their union",
                                    id_field, f.id, n0, k + 1, first->fid, f.fid),
                        file);
    }
    by_id[it->second].push_back(&f);
  }
  std::vector<ZoneShape> zones;
  for (const auto& members : by_id) {
    ZoneShape z{members.front()->id, false, members.front()->shape};
    if (members.size() > 1) {
      std::vector<const io::MultiPolygon*> shapes;
      for (const auto* m : members) {
        if (groups && m->group != members.front()->group) {
          throw FormatError(
              fmt::format("{} value '{}' is merged from features in different groups ('{}' in "
                          "FID {}, '{}' in FID {})",
                          id_field, z.name, members.front()->group, members.front()->fid, m->group,
                          m->fid),
              file);
        }
        shapes.push_back(&m->shape);
      }
      // The union, not the parts side by side: overlapping parts count once.
      z.shape = io::union_of(shapes);
    }
    zones.push_back(std::move(z));
  }
  if (!groups)
    return zones;
  std::vector<std::string> names;
  std::vector<std::vector<const io::MultiPolygon*>> members;
  for (const auto& f : features) {
    auto it = std::find(names.begin(), names.end(), f.group);
    if (it == names.end()) {
      names.push_back(f.group);
      members.emplace_back();
      it = names.end() - 1;
    }
    members[static_cast<std::size_t>(it - names.begin())].push_back(&f.shape);
  }
  for (std::size_t g = 0; g < names.size(); ++g)
    zones.push_back({names[g], true, io::union_of(members[g])});
  return zones;
}

}  // namespace tessera::raster

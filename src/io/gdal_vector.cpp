// OGR polygon layers; see include/tessera/io/gdal_vector.hpp.
#include "tessera/io/gdal_vector.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <memory>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/io/gdal_raster.hpp"

namespace tessera::io {

namespace {

struct DatasetCloser {
  void operator()(void* ds) const noexcept { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;
struct SrsDeleter {
  void operator()(void* s) const noexcept { OSRDestroySpatialReference(s); }
};
using SrsPtr = std::unique_ptr<void, SrsDeleter>;
struct TransformDeleter {
  void operator()(void* t) const noexcept { OCTDestroyCoordinateTransformation(t); }
};
using TransformPtr = std::unique_ptr<void, TransformDeleter>;
struct GeometryDeleter {
  void operator()(void* g) const noexcept { OGR_G_DestroyGeometry(g); }
};
using GeometryPtr = std::unique_ptr<void, GeometryDeleter>;
struct FeatureDeleter {
  void operator()(void* f) const noexcept { OGR_F_Destroy(f); }
};
using FeaturePtr = std::unique_ptr<void, FeatureDeleter>;

SrsPtr srs_from_wkt(const std::string& wkt) {
  SrsPtr srs(OSRNewSpatialReference(nullptr));
  if (OSRSetFromUserInput(srs.get(), wkt.c_str()) != OGRERR_NONE) {
    throw FormatError(gdal_message("unrecognised CRS '" + wkt.substr(0, 60) + "'"));
  }
  OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

Ring ring_of(OGRGeometryH ring) {
  Ring out;
  const int n = OGR_G_GetPointCount(ring);
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    out.push_back({OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)});
  if (out.size() > 1 && out.front().x == out.back().x && out.front().y == out.back().y) {
    out.pop_back();
  }
  return out;
}

Polygon polygon_of(OGRGeometryH poly) {
  Polygon p;
  const int n = OGR_G_GetGeometryCount(poly);
  for (int i = 0; i < n; ++i)
    p.rings.push_back(ring_of(OGR_G_GetGeometryRef(poly, i)));
  return p;
}

// Appends the polygons of g (Polygon, MultiPolygon or a collection of them).
bool append_polygons(OGRGeometryH g, MultiPolygon& out) {
  const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
  if (type == wkbPolygon) {
    out.push_back(polygon_of(g));
    return true;
  }
  if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
    const int n = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < n; ++i) {
      OGRGeometryH part = OGR_G_GetGeometryRef(g, i);
      const auto pt = wkbFlatten(OGR_G_GetGeometryType(part));
      if (pt == wkbPolygon || pt == wkbMultiPolygon) {
        if (!append_polygons(part, out))
          return false;
      } else if (type == wkbMultiPolygon) {
        return false;
      }
      // Collections from a union may hold degenerate lines/points: no area, skipped.
    }
    return true;
  }
  return false;
}

GeometryPtr to_ogr(const MultiPolygon& shape) {
  GeometryPtr mp(OGR_G_CreateGeometry(wkbMultiPolygon));
  for (const auto& poly : shape) {
    OGRGeometryH p = OGR_G_CreateGeometry(wkbPolygon);
    for (const auto& ring : poly.rings) {
      OGRGeometryH r = OGR_G_CreateGeometry(wkbLinearRing);
      for (const auto& pt : ring)
        OGR_G_AddPoint_2D(r, pt.x, pt.y);
      if (!ring.empty())
        OGR_G_AddPoint_2D(r, ring.front().x, ring.front().y);
      OGR_G_AddGeometryDirectly(p, r);
    }
    OGR_G_AddGeometryDirectly(mp.get(), p);
  }
  return mp;
}

}  // namespace

std::string crs_to_wkt(const std::string& definition) {
  gdal_register_once();
  SrsPtr srs = srs_from_wkt(definition);
  char* wkt = nullptr;
  const char* opts[] = {"FORMAT=WKT2_2018", nullptr};
  if (OSRExportToWktEx(srs.get(), &wkt, opts) != OGRERR_NONE || wkt == nullptr) {
    CPLFree(wkt);
    throw FormatError(gdal_message("cannot export CRS to WKT"), definition);
  }
  std::string out(wkt);
  CPLFree(wkt);
  return out;
}

void transform_shape(MultiPolygon& shape, const std::string& src_wkt, const std::string& dst_wkt) {
  gdal_register_once();
  SrsPtr src = srs_from_wkt(src_wkt), dst = srs_from_wkt(dst_wkt);
  TransformPtr ct(OCTNewCoordinateTransformation(src.get(), dst.get()));
  if (!ct)
    throw FormatError(gdal_message("cannot transform between the CRSs"));
  for (auto& poly : shape) {
    for (auto& ring : poly.rings) {
      for (auto& p : ring) {
        if (!OCTTransform(ct.get(), 1, &p.x, &p.y, nullptr)) {
          throw FormatError(gdal_message("cannot transform a point"));
        }
      }
    }
  }
}

std::vector<PolygonFeature> read_polygon_layer(const std::filesystem::path& path,
                                               const std::string& id_field,
                                               const std::string& group_field,
                                               const std::string& target_crs_wkt,
                                               const std::string& layer_name,
                                               const std::string& source_crs) {
  gdal_register_once();
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError("no such file", file);
  CPLErrorReset();
  DatasetPtr ds(
      GDALOpenEx(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (!ds)
    throw FormatError(gdal_message("not a vector layer GDAL can open"), file);
  OGRLayerH layer = layer_name.empty() ? GDALDatasetGetLayer(ds.get(), 0)
                                       : GDALDatasetGetLayerByName(ds.get(), layer_name.c_str());
  if (layer == nullptr) {
    throw FormatError(layer_name.empty() ? "no layer" : "no layer named '" + layer_name + "'",
                      file);
  }
  const std::string lname = OGR_L_GetName(layer);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  auto field_list = [&] {
    std::string s;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
      if (!s.empty())
        s += ", ";
      s += OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    }
    return s.empty() ? std::string("none") : s;
  };
  const int id_idx = OGR_FD_GetFieldIndex(defn, id_field.c_str());
  if (id_idx < 0) {
    throw FormatError("no field '" + id_field + "' (fields: " + field_list() + ")", file,
                      "layer " + lname);
  }
  int group_idx = -1;
  if (!group_field.empty()) {
    group_idx = OGR_FD_GetFieldIndex(defn, group_field.c_str());
    if (group_idx < 0) {
      throw FormatError("no field '" + group_field + "' (fields: " + field_list() + ")", file,
                        "layer " + lname);
    }
  }
  TransformPtr ct;
  SrsPtr stated;
  if (!source_crs.empty()) {
    try {
      stated = srs_from_wkt(source_crs);
    } catch (const FormatError& e) {
      throw UsageError("--basins-crs: " + e.message());
    }
  }
  std::string crs_name;
  if (!target_crs_wkt.empty()) {
    OGRSpatialReferenceH lsrs = stated ? stated.get() : OGR_L_GetSpatialRef(layer);
    if (lsrs != nullptr) {
      SrsPtr src(OSRClone(lsrs));
      const char* name = OSRGetName(src.get());
      crs_name = std::string(name != nullptr ? name : "unnamed") +
                 (stated ? ", from --basins-crs" : ", from the file");
      OSRSetAxisMappingStrategy(src.get(), OAMS_TRADITIONAL_GIS_ORDER);
      SrsPtr dst = srs_from_wkt(target_crs_wkt);
      if (!OSRIsSame(src.get(), dst.get())) {
        ct.reset(OCTNewCoordinateTransformation(src.get(), dst.get()));
        if (!ct) {
          throw FormatError(gdal_message("cannot transform the layer's CRS to the raster's"), file,
                            "layer " + lname);
        }
      }
    }
  }
  std::vector<PolygonFeature> out;
  OGR_L_ResetReading(layer);
  while (true) {
    FeaturePtr f(OGR_L_GetNextFeature(layer));
    if (!f)
      break;
    PolygonFeature pf;
    pf.fid = OGR_F_GetFID(f.get());
    pf.id = OGR_F_GetFieldAsString(f.get(), id_idx);
    if (group_idx >= 0)
      pf.group = OGR_F_GetFieldAsString(f.get(), group_idx);
    const std::string where = "layer " + lname + ", feature FID " + std::to_string(pf.fid) + " (" +
                              id_field + "=" + pf.id + ")";
    if (!OGR_F_IsFieldSetAndNotNull(f.get(), id_idx) || pf.id.empty()) {
      throw FormatError("empty " + id_field + " value", file, where);
    }
    OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
    if (g == nullptr || OGR_G_IsEmpty(g))
      throw FormatError("no geometry", file, where);
    const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (type != wkbPolygon && type != wkbMultiPolygon) {
      throw FormatError(std::string("geometry is a ") + OGRGeometryTypeToName(type) +
                            ", not a polygon or multipolygon",
                        file, where);
    }
    CPLErrorReset();
    if (!OGR_G_IsValid(g)) {
      throw FormatError(gdal_message("invalid polygon (self-intersection, bad ring or hole "
                                     "outside its exterior)"),
                        file, where);
    }
    GeometryPtr copy(OGR_G_Clone(g));
    if (ct && OGR_G_Transform(copy.get(), ct.get()) != OGRERR_NONE) {
      throw FormatError(gdal_message("cannot reproject geometry from the layer's CRS (" + crs_name +
                                     ") to the raster's; if the coordinates are not "
                                     "in that CRS, state it with --basins-crs"),
                        file, where);
    }
    append_polygons(copy.get(), pf.shape);
    out.push_back(std::move(pf));
  }
  if (out.empty())
    throw FormatError("layer has no features", file, "layer " + lname);
  return out;
}

MultiPolygon union_of(const std::vector<const MultiPolygon*>& shapes) {
  gdal_register_once();
  GeometryPtr acc;
  for (const MultiPolygon* s : shapes) {
    GeometryPtr g = to_ogr(*s);
    if (!acc) {
      acc = std::move(g);
      continue;
    }
    GeometryPtr u(OGR_G_Union(acc.get(), g.get()));
    if (!u)
      throw FormatError(gdal_message("polygon union failed"));
    acc = std::move(u);
  }
  MultiPolygon out;
  if (acc)
    append_polygons(acc.get(), out);
  return out;
}

void write_polygon_layer(const std::filesystem::path& path, const std::string& crs_wkt,
                         const std::string& id_field, const std::string& group_field,
                         const std::vector<PolygonFeature>& features) {
  gdal_register_once();
  const std::string file = path.string();
  const std::string ext = path.extension().string();
  const char* driver_name = ext == ".shp"                           ? "ESRI Shapefile"
                            : ext == ".gpkg"                        ? "GPKG"
                            : (ext == ".geojson" || ext == ".json") ? "GeoJSON"
                                                                    : nullptr;
  if (driver_name == nullptr)
    throw UsageError("unknown vector extension '" + ext + "'", file);
  GDALDriverH drv = GDALGetDriverByName(driver_name);
  if (drv == nullptr)
    throw IoError(std::string("GDAL has no ") + driver_name + " driver", file);
  std::filesystem::remove(path);
  CPLErrorReset();
  DatasetPtr ds(GDALCreate(drv, file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds)
    throw IoError(gdal_message("cannot create vector file"), file);
  SrsPtr srs = srs_from_wkt(crs_wkt);
  OGRLayerH layer =
      GDALDatasetCreateLayer(ds.get(), path.stem().c_str(), srs.get(), wkbMultiPolygon, nullptr);
  if (layer == nullptr)
    throw IoError(gdal_message("cannot create layer"), file);
  for (const std::string& name : {id_field, group_field}) {
    if (name.empty())
      continue;
    OGRFieldDefnH fd = OGR_Fld_Create(name.c_str(), OFTString);
    const OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);
    if (err != OGRERR_NONE)
      throw IoError(gdal_message("cannot create field " + name), file);
  }
  for (const auto& pf : features) {
    FeaturePtr f(OGR_F_Create(OGR_L_GetLayerDefn(layer)));
    OGR_F_SetFieldString(f.get(), 0, pf.id.c_str());
    if (!group_field.empty())
      OGR_F_SetFieldString(f.get(), 1, pf.group.c_str());
    GeometryPtr g = to_ogr(pf.shape);
    OGR_F_SetGeometry(f.get(), g.get());
    if (OGR_L_CreateFeature(layer, f.get()) != OGRERR_NONE) {
      throw IoError(gdal_message("cannot write feature " + pf.id), file);
    }
  }
}

}  // namespace tessera::io

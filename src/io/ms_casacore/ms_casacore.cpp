// The casacore implementation of the Measurement Set writer, built as the
// loadable module tessera-ms.so (layout and orientation: io/ms_writer.hpp;
// why a module and what crosses its boundary: io/ms_module.hpp). It links
// casacore and nothing of Tessera's libraries: failures are returned as
// ms_module::Result, never thrown out of the module.
#include "ms_module.hpp"

#include <casacore/casa/Arrays/Array.h>
#include <casacore/casa/Arrays/Matrix.h>
#include <casacore/casa/Arrays/Vector.h>
#include <casacore/casa/Exceptions/Error.h>
#include <casacore/measures/Measures/MDirection.h>
#include <casacore/measures/Measures/MFrequency.h>
#include <casacore/measures/Measures/Stokes.h>
#include <casacore/ms/MeasurementSets/MSColumns.h>
#include <casacore/ms/MeasurementSets/MeasurementSet.h>
#include <casacore/tables/DataMan/StandardStMan.h>
#include <casacore/tables/DataMan/TiledColumnStMan.h>
#include <casacore/tables/Tables/SetupNewTab.h>
#include <casacore/tables/Tables/TableDesc.h>
#include <fmt/format.h>

#include <sys/types.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tessera::io::ms_module {

namespace {

namespace cc = casacore;
using Index = ::ssize_t;  // casacore's IPosition element type

// A failure detected here, caught at the module's boundary (below) and
// returned as a Result: the executable turns it into IoError/FormatError.
struct Failure {
  Status status;
  std::string message, object;
};

// WGS84 geodetic -> ECEF (m): the standard closed form (e.g. IERS
// Conventions 2010, section 4.2.6 with the WGS84 a and f).
std::array<double, 3> geodetic_to_ecef(double lat, double lon, double height) {
  constexpr double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2.0 - f);
  const double s = std::sin(lat), c = std::cos(lat);
  const double n = a / std::sqrt(1.0 - e2 * s * s);
  return {(n + height) * c * std::cos(lon), (n + height) * c * std::sin(lon),
          (n * (1.0 - e2) + height) * s};
}

// UVH5 (AIPS) polarization codes -> casacore Stokes types and the receptor
// pair each correlation multiplies.
struct Corr {
  int type, r1, r2;
};
Corr corr_of(std::int64_t code) {
  switch (code) {
    case 1:
      return {cc::Stokes::I, 0, 0};
    case 2:
      return {cc::Stokes::Q, 0, 0};
    case 3:
      return {cc::Stokes::U, 0, 0};
    case 4:
      return {cc::Stokes::V, 0, 0};
    case -1:
      return {cc::Stokes::RR, 0, 0};
    case -2:
      return {cc::Stokes::LL, 1, 1};
    case -3:
      return {cc::Stokes::RL, 0, 1};
    case -4:
      return {cc::Stokes::LR, 1, 0};
    case -5:
      return {cc::Stokes::XX, 0, 0};
    case -6:
      return {cc::Stokes::YY, 1, 1};
    case -7:
      return {cc::Stokes::XY, 0, 1};
    case -8:
      return {cc::Stokes::YX, 1, 0};
    default:
      break;
  }
  throw Failure{Status::kFormatError,
                fmt::format("polarization code {} has no Measurement Set equivalent", code),
                "Header/polarization_array"};
}

void fix_shape(cc::TableDesc& td, const std::string& column, const cc::IPosition& shape) {
  cc::ColumnDesc& cd = td.rwColumnDesc(column);
  cd.setOptions(cd.options() | cc::ColumnDesc::FixedShape);
  cd.setShape(shape);
}

constexpr double kMjdSeconds = 86400.0;
double mjd_seconds(double jd) {
  return (jd - 2400000.5) * kMjdSeconds;
}

void write_subtables(cc::MeasurementSet& ms, cc::MSColumns& cols, const Uvh5Output& h) {
  constexpr double kDeg = 3.14159265358979323846 / 180.0;
  const auto site = geodetic_to_ecef(h.latitude_deg * kDeg, h.longitude_deg * kDeg, h.altitude);
  const auto nant = static_cast<cc::rownr_t>(h.nants_telescope);
  ms.antenna().addRow(nant);
  auto& ant = cols.antenna();
  for (cc::rownr_t i = 0; i < nant; ++i) {
    cc::Vector<double> pos(3), offset(3, 0.0);
    for (int k = 0; k < 3; ++k)
      pos[k] = site[static_cast<std::size_t>(k)] + h.antenna_positions[3 * i + k];
    ant.name().put(i, h.antenna_names.size() > i ? h.antenna_names[i] : fmt::format("{}", i));
    ant.station().put(i, h.telescope_name);
    ant.type().put(i, "GROUND-BASED");
    ant.mount().put(i, "ALT-AZ");
    ant.position().put(i, pos);
    ant.offset().put(i, offset);
    ant.dishDiameter().put(i, h.antenna_diameters.size() > i ? h.antenna_diameters[i] : 0.0);
    ant.flagRow().put(i, false);
  }
  const auto nchan = static_cast<std::size_t>(h.nfreqs);
  ms.spectralWindow().addRow(1);
  auto& spw = cols.spectralWindow();
  cc::Vector<double> freq(nchan), width(nchan);
  double total = 0;
  for (std::size_t c = 0; c < nchan; ++c) {
    freq[c] = h.freq_array[c];
    width[c] = std::abs(h.channel_width[c]);
    total += width[c];
  }
  spw.numChan().put(0, static_cast<int>(nchan));
  spw.chanFreq().put(0, freq);
  spw.chanWidth().put(0, width);
  spw.effectiveBW().put(0, width);
  spw.resolution().put(0, width);
  spw.refFrequency().put(0, freq[0]);
  spw.totalBandwidth().put(0, total);
  spw.measFreqRef().put(0, cc::MFrequency::TOPO);
  spw.name().put(0, "SPW0");
  spw.netSideband().put(0, 1);
  spw.freqGroup().put(0, 0);
  spw.freqGroupName().put(0, "");
  spw.ifConvChain().put(0, 0);
  spw.flagRow().put(0, false);

  const auto npol = static_cast<std::size_t>(h.npols);
  ms.polarization().addRow(1);
  auto& pol = cols.polarization();
  cc::Vector<int> types(npol);
  cc::Matrix<int> products(2, npol);
  for (std::size_t p = 0; p < npol; ++p) {
    const Corr c = corr_of(h.polarization_array[p]);
    types[p] = c.type;
    products(0, p) = c.r1;
    products(1, p) = c.r2;
  }
  pol.numCorr().put(0, static_cast<int>(npol));
  pol.corrType().put(0, types);
  pol.corrProduct().put(0, products);
  pol.flagRow().put(0, false);

  ms.dataDescription().addRow(1);
  cols.dataDescription().spectralWindowId().put(0, 0);
  cols.dataDescription().polarizationId().put(0, 0);
  cols.dataDescription().flagRow().put(0, false);

  const auto [tmin, tmax] = std::minmax_element(h.time_array.begin(), h.time_array.end());
  const double half = 0.5 * h.integration_time.front();
  auto& field = cols.field();
  field.setDirectionRef(cc::MDirection::ICRS);
  ms.field().addRow(1);
  cc::Matrix<double> dir(2, 1);
  dir(0, 0) = h.cat_lon;
  dir(1, 0) = h.cat_lat;
  field.name().put(0, h.cat_name.empty() ? "phase centre" : h.cat_name);
  field.code().put(0, "");
  field.time().put(0, mjd_seconds(0.5 * (*tmin + *tmax)));
  field.numPoly().put(0, 0);
  field.delayDir().put(0, dir);
  field.phaseDir().put(0, dir);
  field.referenceDir().put(0, dir);
  field.sourceId().put(0, -1);
  field.flagRow().put(0, false);

  ms.observation().addRow(1);
  auto& obs = cols.observation();
  cc::Vector<double> range(2);
  range[0] = mjd_seconds(*tmin) - half;
  range[1] = mjd_seconds(*tmax) + half;
  obs.telescopeName().put(0, h.telescope_name);
  obs.timeRange().put(0, range);
  obs.observer().put(0, "");
  obs.log().put(0, cc::Vector<cc::String>(1, ""));
  obs.scheduleType().put(0, "");
  obs.schedule().put(0, cc::Vector<cc::String>(1, ""));
  obs.project().put(0, "");
  obs.releaseDate().put(0, 0.0);
  obs.flagRow().put(0, false);

  ms.history().addRow(1);
  auto& hist = cols.history();
  hist.time().put(0, range[1]);
  hist.observationId().put(0, 0);
  hist.message().put(0, h.history);
  hist.priority().put(0, "NORMAL");
  hist.origin().put(0, "tessera");
  hist.objectId().put(0, 0);
  hist.application().put(0, "tessera subband convert");
  hist.cliCommand().put(0, cc::Vector<cc::String>(1, "tessera subband convert"));
  hist.appParams().put(0, cc::Vector<cc::String>(1, ""));
}

// The rows whose visibilities are conjugated and uvw negated (and, when
// `swap`, antennas exchanged) on the way into the MS, as pyuvdata's
// write_ms does, so that CASA reads Tessera's MS as it reads the MS the
// DSA-110 operators write with pyuvdata (pyuvdata 3.x, uvdata/ms.py,
// flip_conj): when every row has ant_1 <= ant_2 (DSA-110's order) every row
// is conjugated with its antennas kept, and the table says so (keyword
// pyuvdata_flip_conj, which pyuvdata's reader undoes); in a mix of orders
// the rows with ant_1 < ant_2 are turned round instead (antennas swapped),
// the rest kept, and the keyword is false.
struct Orientation {
  bool flip_conj = false;
  bool swap = false;
  std::vector<std::uint8_t> conj;  ///< per row
};
Orientation orientation(const Uvh5Output& h) {
  Orientation o;
  const auto n = static_cast<std::size_t>(h.nblts);
  bool all_le = true;
  for (std::size_t r = 0; r < n; ++r)
    all_le = all_le && h.ant_1_array[r] <= h.ant_2_array[r];
  o.flip_conj = all_le;
  o.swap = !all_le;
  o.conj.resize(n);
  for (std::size_t r = 0; r < n; ++r)
    o.conj[r] = all_le || h.ant_1_array[r] < h.ant_2_array[r];
  return o;
}

// MAIN's columns other than DATA and FLAG, all rows at once.
void write_rows(cc::MSColumns& cols, const Uvh5Output& h, const Orientation& o) {
  const auto nrow = static_cast<cc::rownr_t>(h.nblts);
  const auto npol = static_cast<Index>(h.npols);
  std::map<std::int64_t, int> index;
  for (std::size_t i = 0; i < h.antenna_numbers.size(); ++i)
    index[h.antenna_numbers[i]] = static_cast<int>(i);
  cc::Vector<int> a1(nrow), a2(nrow), zeros(nrow, 0), minus(nrow, -1), scan(nrow, 1);
  cc::Vector<double> time(nrow), interval(nrow);
  cc::Vector<bool> flag_row(nrow, false);
  for (cc::rownr_t r = 0; r < nrow; ++r) {
    a1[r] = index.at(h.ant_1_array[r]);
    a2[r] = index.at(h.ant_2_array[r]);
    if (o.swap && o.conj[r] != 0)
      std::swap(a1[r], a2[r]);
    time[r] = mjd_seconds(h.time_array[r]);
    interval[r] = h.integration_time[r];
  }
  cols.antenna1().putColumn(a1);
  cols.antenna2().putColumn(a2);
  cols.time().putColumn(time);
  cols.timeCentroid().putColumn(time);
  cols.interval().putColumn(interval);
  cols.exposure().putColumn(interval);
  cols.scanNumber().putColumn(scan);
  for (auto* c : {&cols.fieldId(), &cols.dataDescId(), &cols.observationId(), &cols.arrayId()})
    c->putColumn(zeros);
  cols.processorId().putColumn(minus);
  cols.stateId().putColumn(minus);
  cols.feed1().putColumn(zeros);
  cols.feed2().putColumn(zeros);
  cols.flagRow().putColumn(flag_row);
  std::vector<double> uvw(h.uvw_array);
  for (std::size_t r = 0; r < static_cast<std::size_t>(nrow); ++r) {
    if (o.conj[r] != 0) {
      for (std::size_t k = 0; k < 3; ++k)
        uvw[3 * r + k] = -uvw[3 * r + k];
    }
  }
  cols.uvw().putColumn(
      cc::Array<double>(cc::IPosition(2, 3, static_cast<Index>(nrow)), uvw.data(), cc::SHARE));
  cc::Array<float> ones(cc::IPosition(2, npol, static_cast<Index>(nrow)), 1.0f);
  cols.weight().putColumn(ones);
  cols.sigma().putColumn(ones);
}

}  // namespace

struct Writer {
  cc::MeasurementSet ms;
  std::unique_ptr<cc::MSColumns> cols;
  std::int64_t nrow = 0, nchan = 0, npol = 0;
  Orientation orient;
};

namespace {

// Runs `fn`, turning whatever it throws into `result`: nothing unwinds out
// of the module (io/ms_module.hpp). casacore's messages keep the prefix
// "casacore: " they always had.
template <class Fn>
void guarded(Result& result, Fn&& fn) noexcept {
  try {
    try {
      fn();
    } catch (const Failure& f) {
      result = {f.status, f.message, f.object};
    } catch (const cc::AipsError& e) {
      result = {Status::kIoError, std::string("casacore: ") + e.what(), {}};
    } catch (const std::exception& e) {
      result = {Status::kIoError, e.what(), {}};
    } catch (...) {
      result = {Status::kIoError, "unknown error in the Measurement Set module", {}};
    }
  } catch (...) {  // the strings above could not be allocated
    result.status = Status::kIoError;
  }
}

Writer* create(const char* path, const Uvh5Output& h, std::uint64_t stripe_freqs,
               Result& result) noexcept {
  std::unique_ptr<Writer> w;
  guarded(result, [&] {
    const auto nchan = static_cast<Index>(h.nfreqs), npol = static_cast<Index>(h.npols);
    const auto stripe = static_cast<Index>(std::clamp<std::uint64_t>(
        stripe_freqs, 1, static_cast<std::uint64_t>(std::max<Index>(1, nchan))));
    cc::TableDesc td = cc::MS::requiredTableDesc();
    cc::MS::addColumnToDesc(td, cc::MS::DATA, 2);
    const cc::IPosition cell(2, npol, nchan);
    fix_shape(td, "DATA", cell);
    fix_shape(td, "FLAG", cell);
    fix_shape(td, "WEIGHT", cc::IPosition(1, npol));
    fix_shape(td, "SIGMA", cc::IPosition(1, npol));
    cc::SetupNewTable setup(path, td, cc::Table::New);
    cc::StandardStMan ssm;
    setup.bindAll(ssm);
    // DATA and FLAG tiled [ncorr, one subband, ~1 MiB of DATA]: each subband
    // written fills whole tiles (StandardStMan buckets took 20 s for the
    // 1.4 GB of a dsa110-scale group; whole-row tiles written one subband at a
    // time would be read back and rewritten 16 times). The tile cache is
    // bounded, so memory does not grow with the group.
    const auto rows_per_tile =
        std::max<Index>(1, (Index{1} << 17) / std::max<Index>(1, npol * stripe));
    const cc::IPosition tile(3, npol, stripe, rows_per_tile);
    constexpr cc::uInt64 kCacheBytes = 64u << 20;
    cc::TiledColumnStMan data_sm("TiledDATA", tile, kCacheBytes);
    cc::TiledColumnStMan flag_sm("TiledFLAG", tile, kCacheBytes);
    setup.bindColumn("DATA", data_sm);
    setup.bindColumn("FLAG", flag_sm);
    w = std::make_unique<Writer>(
        Writer{cc::MeasurementSet(setup, static_cast<cc::rownr_t>(h.nblts)), nullptr, h.nblts,
               h.nfreqs, h.npols, orientation(h)});
    w->ms.createDefaultSubtables(cc::Table::New);
    w->cols = std::make_unique<cc::MSColumns>(w->ms);
    write_subtables(w->ms, *w->cols, h);
    write_rows(*w->cols, h, w->orient);
    w->ms.rwKeywordSet().define("pyuvdata_flip_conj", w->orient.flip_conj);
  });
  if (result.status != Status::kOk)
    return nullptr;  // the unique_ptr closes what was created
  return w.release();
}

void write_channels(Writer* w, std::uint64_t first, std::uint64_t nchan, std::complex<float>* vis,
                    const std::uint8_t* flags, Result& result) noexcept {
  guarded(result, [&] {
    if (nchan == 0)
      return;
    if (first + nchan > static_cast<std::uint64_t>(w->nchan))
      throw Failure{Status::kIoError,
                    fmt::format("channels {}..{} outside the {} of the Measurement Set", first,
                                first + nchan, w->nchan),
                    {}};
    const auto npol = static_cast<Index>(w->npol), nrow = static_cast<Index>(w->nrow);
    const auto n = static_cast<Index>(nchan);
    const cc::IPosition shape(3, npol, n, nrow);
    const cc::Slicer rows(cc::IPosition(1, 0), cc::IPosition(1, nrow));
    const cc::Slicer section(cc::IPosition(2, 0, static_cast<Index>(first)),
                             cc::IPosition(2, npol, n));
    // The MS orientation (see Orientation), in place: the caller's subband
    // is not used after it is handed over.
    const std::size_t per_row = static_cast<std::size_t>(npol) * nchan;
    for (std::size_t r = 0; r < static_cast<std::size_t>(nrow); ++r) {
      if (w->orient.conj[r] != 0) {
        for (std::size_t k = 0; k < per_row; ++k)
          vis[r * per_row + k] = std::conj(vis[r * per_row + k]);
      }
    }
    auto* v = reinterpret_cast<cc::Complex*>(vis);
    w->cols->data().putColumnRange(rows, section, cc::Array<cc::Complex>(shape, v, cc::SHARE));
    cc::Array<bool> fl(shape);
    std::transform(flags, flags + fl.nelements(), fl.begin(),
                   [](std::uint8_t f) { return f != 0; });
    w->cols->flag().putColumnRange(rows, section, fl);
  });
}

void close(Writer* w, Result& result) noexcept {
  guarded(result, [&] {
    w->cols.reset();
    w->ms.flush();
  });
}

void destroy(Writer* w) noexcept {
  delete w;
}

constexpr Api kApi{kInterfaceVersion, sizeof(Uvh5Output), &create, &write_channels, &close,
                   &destroy};

}  // namespace

}  // namespace tessera::io::ms_module

// The module's one exported symbol (the target hides every other one).
extern "C" __attribute__((visibility("default"))) const tessera::io::ms_module::Api*
tessera_ms_module() noexcept {
  return &tessera::io::ms_module::kApi;
}

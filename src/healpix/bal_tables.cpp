// zafter and baltable files (include/tessera/healpix/bal_tables.hpp).
#include "tessera/healpix/bal_tables.hpp"

#include <fmt/format.h>

#include "tessera/core/error.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {

using io::FitsFile;

void set_spectype(QsoRecord& r, std::string_view text) {
  r.spectype.fill('\0');
  text.copy(r.spectype.data(), r.spectype.size() - 1);
}

void write_identity_columns(FitsFile& f, const std::vector<QsoRecord>& rows) {
  std::vector<std::int64_t> id(rows.size());
  std::vector<double> col(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    id[i] = rows[i].targetid;
  f.write_column("TARGETID", id);
  auto put = [&](const char* name, double QsoRecord::*member) {
    for (std::size_t i = 0; i < rows.size(); ++i)
      col[i] = rows[i].*member;
    f.write_column(name, col);
  };
  put("TARGET_RA", &QsoRecord::ra);
  put("TARGET_DEC", &QsoRecord::dec);
  put("Z", &QsoRecord::z);
  put("ZERR", &QsoRecord::zerr);
  put("ZWARN", &QsoRecord::zwarn);
}

std::vector<QsoRecord> read_zafter(const std::filesystem::path& path,
                                   std::vector<std::string>* spectype) {
  FitsFile f(path, FitsFile::Mode::kRead);
  f.move_to("REDSHIFTS");
  const std::int64_t n = f.num_rows();
  const auto id = f.read_column<std::int64_t>("TARGETID", 0, n);
  const auto ra = f.read_column<double>("TARGET_RA", 0, n);
  const auto dec = f.read_column<double>("TARGET_DEC", 0, n);
  const auto z = f.read_column<double>("Z", 0, n);
  const auto zerr = f.read_column<double>("ZERR", 0, n);
  const auto zwarn = f.read_column<double>("ZWARN", 0, n);
  if (spectype)
    *spectype = f.read_strings("SPECTYPE", 0, n);
  std::vector<QsoRecord> rows(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i] = {id[i], ra[i], dec[i], z[i], zerr[i], zwarn[i]};
  }
  return rows;
}

std::vector<BalColumn> bal_columns(int ncomp) {
  std::vector<BalColumn> c;
  c.push_back({"PCA_COEFFS", fmt::format("{}E", ncomp), ncomp, false});
  c.push_back({"PCA_CHI2", "E", 1, false});
  c.push_back({"BAL_PROB", "E", 1, false});
  for (const char* ion : {"CIV", "SIIV"}) {
    for (int which = 0; which < 2; ++which) {
      const bool ai = which == 1;
      const int width = ai ? 450 : 2000;
      const int m = ai ? bal::kMaxAiTroughs : bal::kMaxBiTroughs;
      const std::string idx = ai ? "AI" : "BI";
      c.push_back({fmt::format("{}_{}", idx, ion), "E", 1, false});
      c.push_back({fmt::format("ERR_{}_{}", idx, ion), "E", 1, false});
      c.push_back({fmt::format("N{}_{}", ion, width), "J", 1, true});
      for (const char* q : {"VMIN", "VMAX", "POSMIN", "FMIN"}) {
        c.push_back({fmt::format("{}_{}_{}", q, ion, width), fmt::format("{}E", m), m, false});
      }
    }
  }
  c.push_back({"SNR_CIV", "E", 1, false});
  c.push_back({"SNR_REDSIDE", "E", 1, false});
  c.push_back({"SNR_FOREST", "E", 1, false});
  return c;
}

BalColumnValues to_columns(const std::vector<BalResult>& results, int ncomp) {
  BalColumnValues out;
  out.columns = bal_columns(ncomp);
  out.rows = static_cast<std::int64_t>(results.size());
  out.values.resize(out.columns.size());
  for (const BalResult& r : results) {
    std::size_t c = 0;
    auto put = [&](double v) { out.values[c++].push_back(v); };
    auto put_vec = [&](const std::vector<double>& v) {
      out.values[c].insert(out.values[c].end(), v.begin(), v.end());
      ++c;
    };
    std::vector<double> coeffs = r.pca_coeffs;
    coeffs.resize(static_cast<std::size_t>(ncomp), 0.0);
    put_vec(coeffs);
    put(r.pca_chi2);
    put(0.0);  // BAL_PROB: reserved for the classifier, 0 as baltools writes it
    for (const TroughSet* t : {&r.bi_civ, &r.ai_civ, &r.bi_siiv, &r.ai_siiv}) {
      put(t->index);
      put(t->error);
      put(t->count);
      put_vec(t->vmin);
      put_vec(t->vmax);
      put_vec(t->posmin);
      put_vec(t->fmin);
    }
    put(r.snr_civ);
    put(r.snr_redside);
    put(r.snr_forest);
  }
  return out;
}

void write_baltable(const std::filesystem::path& path, const std::vector<QsoRecord>& qso,
                    const std::vector<BalResult>& results, int ncomp,
                    const std::string& template_file) {
  const BalColumnValues bal = to_columns(results, ncomp);
  std::vector<io::FitsColumnSpec> specs = {{"TARGETID", "K", ""},      {"TARGET_RA", "E", "deg"},
                                           {"TARGET_DEC", "E", "deg"}, {"Z", "E", ""},
                                           {"ZERR", "E", ""},          {"ZWARN", "E", ""}};
  for (const auto& c : bal.columns)
    specs.push_back({c.name, c.tform, ""});
  FitsFile f(path, FitsFile::Mode::kCreate);
  f.create_table("BALCAT", specs, static_cast<std::int64_t>(qso.size()));
  f.write_key("TEMPLATE", std::filesystem::path(template_file).filename().string(),
              "PCA template file");
  f.write_key("NCOMP", static_cast<std::int64_t>(ncomp), "PCA components");
  write_identity_columns(f, qso);
  for (std::size_t c = 0; c < bal.columns.size(); ++c) {
    if (bal.columns[c].integer) {
      std::vector<std::int32_t> iv(bal.values[c].begin(), bal.values[c].end());
      f.write_column(bal.columns[c].name, iv);
    } else {
      f.write_column(bal.columns[c].name, bal.values[c]);
    }
  }
  f.close();
}

BalTable read_baltable(const std::filesystem::path& path) {
  FitsFile f(path, FitsFile::Mode::kRead);
  f.move_to("BALCAT");
  BalTable t;
  const std::int64_t n = f.num_rows();
  const auto pca = f.column("PCA_COEFFS");
  t.ncomp = static_cast<int>(pca.repeat);
  t.template_file = f.read_key_string("TEMPLATE").value_or("");
  const auto id = f.read_column<std::int64_t>("TARGETID", 0, n);
  const auto z = f.read_column<double>("Z", 0, n);
  t.qso.resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < t.qso.size(); ++i) {
    t.qso[i].targetid = id[i];
    t.qso[i].z = z[i];
  }
  t.bal.columns = bal_columns(t.ncomp);
  t.bal.rows = n;
  for (const auto& c : t.bal.columns) {
    const auto info = f.column(c.name);
    if (info.repeat != c.repeat) {
      throw FormatError(
          fmt::format("column has {} elements per row, expected {}", info.repeat, c.repeat),
          path.string(), "HDU 'BALCAT' column '" + c.name + "'");
    }
    t.bal.values.push_back(f.read_column<double>(c.name, 0, n));
  }
  return t;
}

}  // namespace tessera::healpix

/* The memory floor of `raster grid`'s libraries, without Tessera.
 *
 * Issue 20 asks `raster grid` (NetCDF-4) to peak at <= 1/10 of the Python
 * reference's RSS on the medium grid (616 MiB, so 61.6 MiB). Before any data
 * is read, a process that uses the libraries the step needs -- MPI, parallel
 * HDF5, netcdf-c and PnetCDF (linked: the step writes NetCDF-4 or CDF-5), and
 * GDAL to open the landform GeoTIFF and read its CRS -- already holds a
 * large part of that. This program does only that and prints ru_maxrss
 * after each stage, then writes one deflated NetCDF-4 chunk as the step
 * does, so the floor can be measured on any machine:
 *
 *   mpicc -O2 perf/floor/library_floor.c -o /tmp/library_floor \
 *     -I/usr/lib/x86_64-linux-gnu/netcdf/mpi/include -I/usr/include/gdal \
 *     -I/usr/include/hdf5/openmpi -L/usr/lib/x86_64-linux-gnu/hdf5/openmpi \
 *     -lgdal -lhdf5 -lnetcdf_mpi -lpnetcdf
 *   /tmp/library_floor gtiff LANDFORM.tif     (only the GTiff driver, as Tessera)
 *   /tmp/library_floor all LANDFORM.tif       (GDALAllRegister)
 *
 * (Debian 12 paths; docs/performance.md has the figures.) It is not built by
 * CMake: it is a measuring aid, not part of Tessera. */
#include <cpl_vsi.h>
#include <gdal.h>
#include <hdf5.h>
#include <mpi.h>
#include <netcdf.h>
#include <ogr_srs_api.h>
#include <pnetcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

void GDALRegister_GTiff(void);

static void report(const char* stage) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  printf("%-28s peak RSS %7.1f MiB\n", stage, (double)u.ru_maxrss / 1024.0);
}

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "gtiff") != 0 && strcmp(argv[1], "all") != 0)) {
    fprintf(stderr, "usage: %s gtiff|all LANDFORM.tif\n", argv[0]);
    return 2;
  }
  report("libraries loaded");
  MPI_Init(&argc, &argv);
  report("MPI_Init");
  H5open();
  report("H5open");
  if (strcmp(argv[1], "all") == 0)
    GDALAllRegister();
  else
    GDALRegister_GTiff();
  report("GDAL drivers registered");
  GDALDatasetH ds = GDALOpen(argv[2], GA_ReadOnly);
  if (ds == NULL) {
    fprintf(stderr, "%s: GDAL cannot open it\n", argv[2]);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  /* The CRS as the step needs it for CF's crs_wkt: PROJ's database. */
  OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
  char* wkt = NULL;
  OSRExportToWkt(srs, &wkt);
  report("landform opened, CRS read");
  /* A NetCDF-4 file as the step writes it: one float variable, chunks of
   * 1 x 512 x 512, deflate level 1, one chunk written (zeros). */
  static float chunk[512 * 512];
  char nc_path[4096];
  snprintf(nc_path, sizeof nc_path, "%s.floor.nc", argv[2]);
  int nc = 0, dims[3], var = 0;
  const size_t chunking[3] = {1, 512, 512}, start[3] = {0, 0, 0}, count[3] = {1, 512, 512};
  if (nc_create(nc_path, NC_NETCDF4 | NC_CLOBBER, &nc) != NC_NOERR ||
      nc_def_dim(nc, "time", NC_UNLIMITED, &dims[0]) != NC_NOERR ||
      nc_def_dim(nc, "y", 512, &dims[1]) != NC_NOERR ||
      nc_def_dim(nc, "x", 512, &dims[2]) != NC_NOERR ||
      nc_def_var(nc, "swe", NC_FLOAT, 3, dims, &var) != NC_NOERR ||
      nc_def_var_chunking(nc, var, NC_CHUNKED, chunking) != NC_NOERR ||
      nc_def_var_deflate(nc, var, 0, 1, 1) != NC_NOERR || nc_enddef(nc) != NC_NOERR ||
      nc_put_vara_float(nc, var, start, count, chunk) != NC_NOERR || nc_close(nc) != NC_NOERR) {
    fprintf(stderr, "%s: netcdf-c could not write it\n", nc_path);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  remove(nc_path);
  report("NetCDF-4 chunk written");
  /* Keep the netCDF libraries referenced, as Tessera links them. */
  printf("netcdf-c %.12s, PnetCDF %.8s, CRS WKT %zu bytes\n", nc_inq_libvers(), ncmpi_inq_libvers(),
         wkt ? strlen(wkt) : 0);
  VSIFree(wkt); /* CPLFree is a macro for VSIFree in cpl_conv.h */
  OSRDestroySpatialReference(srs);
  GDALClose(ds);
  MPI_Finalize();
  report("end");
  return 0;
}

// Where Tessera's run-time files live, found from the running executable:
// the reference data (the DESI PCA templates under baltools/) and the
// loadable modules (tessera-ms.so, the casacore Measurement Set writer).
// One lookup for every command that needs a shipped file.
//
// $TESSERA_DATA_DIR, when set, is the only directory looked at (a user's
// override, e.g. newer templates: a wrong one fails naming it). Otherwise
// the first of these holding the file wins:
//   1. <directory of the running executable>/../share/tessera — an installed
//      tessera, wherever its prefix was moved after `cmake --install`;
//   2. the source tree's data/ — a binary run from its build tree;
//   3. the install prefix fixed at configure time (share/tessera).
// The source tree is the repository itself: nothing outside the checkout is
// ever consulted.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tessera {

/// The directories searched for reference data, in the order above
/// (only the environment override when it is set).
std::vector<std::filesystem::path> data_dirs();

/// `relative` (e.g. "baltools/PCA_Eigenvectors.fits") in the first data
/// directory that holds it. When none does, the path it would have in the
/// first directory searched, so that opening it fails naming a real place;
/// `data_search_note(relative)` then says where else it was looked for.
std::filesystem::path data_file(const std::string& relative);

/// "looked for X in: a, b, c; set TESSERA_DATA_DIR or ..." for error messages.
std::string data_search_note(const std::string& relative);

/// The directory of the running executable (/proc/self/exe, symlinks
/// resolved); empty when it cannot be read.
std::filesystem::path executable_dir();

/// The directories searched for a loadable module, in this order:
/// $TESSERA_PLUGIN_DIR alone when set (a wrong one fails naming it);
/// otherwise
///   1. the executable's own directory — a binary run from its build tree,
///      where the modules are built beside it;
///   2. <directory of the executable>/../<libdir>/tessera — an installed
///      tessera, wherever its prefix was moved;
///   3. <libdir>/tessera of the install prefix fixed at configure time.
std::vector<std::filesystem::path> plugin_dirs();

}  // namespace tessera

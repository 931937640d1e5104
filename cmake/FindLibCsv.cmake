# libcsv (Robert Gamble's CSV parser): Debian libcsv-dev, Homebrew libcsv, vcpkg libcsv.
find_path(LIBCSV_INCLUDE_DIR NAMES csv.h REQUIRED)
find_library(LIBCSV_LIBRARY NAMES csv REQUIRED)
if(NOT TARGET LibCsv::LibCsv)
    add_library(LibCsv::LibCsv UNKNOWN IMPORTED)
    set_target_properties(LibCsv::LibCsv PROPERTIES
        IMPORTED_LOCATION "${LIBCSV_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${LIBCSV_INCLUDE_DIR}")
endif()

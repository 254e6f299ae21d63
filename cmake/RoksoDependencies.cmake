# Every dependency comes from a Debian 12 package (see share/rokso/install-deps.sh).
find_package(Boost 1.74 REQUIRED COMPONENTS program_options unit_test_framework)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx>=6.4)
find_package(PostgreSQL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)  # the lease lock's renewal, remap's file writers

# libpg_query ships neither a .pc file nor a CMake config on Debian.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES pg_query REQUIRED)
add_library(pg_query::pg_query UNKNOWN IMPORTED)
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION "${PG_QUERY_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${PG_QUERY_INCLUDE_DIR}")

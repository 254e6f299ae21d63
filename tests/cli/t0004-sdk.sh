#!/usr/bin/env bash
# The installed SDK is enough for an outside team: a fresh CMake project finds rokso with
# find_package(rokso), builds an object-kind plugin with rokso_add_plugin(), and the
# installed rokso loads it from ROKSO_PLUGIN_PATH and uses it in `rokso create`.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

[ -f "$ROKSO_TEST_PREFIX/include/rokso/plugin.hpp" ] && pass || fail "SDK headers not installed"
[ -f "$ROKSO_TEST_PREFIX/lib/cmake/rokso/roksoConfig.cmake" ] && pass || fail "CMake package not installed"

mkdir -p "$WORK/outside"
cat >"$WORK/outside/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(acme_rokso_kinds CXX)
find_package(rokso 0.3 REQUIRED)
rokso_add_plugin(acme-kind-sequence sequence_kind.cpp)
CMAKE
cat >"$WORK/outside/sequence_kind.cpp" <<'CPP'
#include <rokso/object_kind_plugin.hpp>
#include <rokso/sql_identifier.hpp>

namespace {
class SequenceKind : public rokso::ObjectKindPlugin {
 public:
  std::string name() const override { return "acme_sequence"; }
  std::string version() const override { return "2.1.0"; }
  std::string summary() const override { return "sequences, ACME style"; }
  std::string directory() const override { return "150.sequences"; }
  char letter() const override { return 'S'; }
  std::string menu_label() const override { return "[S]equence"; }
  int menu_position() const override { return 6; }
  rokso::Migration create_template(const std::string& schema, const std::string& object) const override {
    rokso::Migration m;
    m.apply_sql = "CREATE SEQUENCE IF NOT EXISTS " + rokso::qualified_name(schema, object) + ";";
    m.rollback_sql = default_rollback(schema, object);
    return m;
  }
  std::string default_rollback(const std::string& schema, const std::string& object) const override {
    return "DROP SEQUENCE IF EXISTS " + rokso::qualified_name(schema, object) + ";";
  }
};
}  // namespace

ROKSO_DECLARE_PLUGIN("acme_sequence", SequenceKind)
CPP
if cmake -S "$WORK/outside" -B "$WORK/outside/build" -DCMAKE_PREFIX_PATH="$ROKSO_TEST_PREFIX" >"$WORK/cmake.log" 2>&1 &&
   cmake --build "$WORK/outside/build" >>"$WORK/cmake.log" 2>&1; then
  pass
else
  fail "out-of-tree plugin build failed: $(tail -20 "$WORK/cmake.log")"
fi
PLUGIN="$WORK/outside/build/acme-kind-sequence.so"
[ -f "$PLUGIN" ] && pass || fail "plugin module missing"

export ROKSO_PLUGIN_PATH="$WORK/outside/build"
run rokso plugins
expect_code 0
expect_out "acme_sequence"
expect_out "acme_sequence      object-kind 150.sequences       2.1.0"
expect_out "$PLUGIN"
expect_no_out "warning"

new_database
new_project
cd "$PROJECT"
run_with_input "offline\nS\norder_numbers\ncreate_sequence\n" rokso create
expect_code 0 "create with an outside kind"
expect_out "[S]equence"
expect_out "(T, V, M, F, D, S)"
file=$(ls migration/offline/150.sequences/order_numbers/*_create_sequence.py 2>/dev/null)
[ -n "$file" ] && pass || fail "no file in 150.sequences"
run rokso migrate
expect_code 0
expect_eq "$(sql "SELECT nextval('offline.order_numbers')")" 1 "sequence created by the outside plugin's skeleton"
run rokso rollback --yes
expect_eq "$(sql "SELECT to_regclass('offline.order_numbers') IS NULL")" t "its rollback dropped it"

# The installed package config states the interface version the installed header defines.
header_version=$(sed -n 's/^#define ROKSO_PLUGIN_INTERFACE_VERSION \([0-9]*\)u$/\1/p' "$ROKSO_TEST_PREFIX/include/rokso/plugin.hpp")
config_version=$(sed -n 's/^set(ROKSO_PLUGIN_INTERFACE_VERSION \([0-9]*\))$/\1/p' "$ROKSO_TEST_PREFIX/lib/cmake/rokso/roksoConfig.cmake")
[ -n "$header_version" ] && pass || fail "no interface version in the installed header"
expect_eq "$config_version" "$header_version" "the CMake package and the header agree on the interface version"

finish

// rokso plugin SDK: a kind of database object (table, view, function, type, ...).
#pragma once

#include <rokso/dump_entry.hpp>
#include <rokso/migration.hpp>
#include <rokso/plugin.hpp>

#include <string>
#include <vector>

namespace rokso {

// A kind owns a directory under migration/<schema>/, whose "NNN." prefix is its rank in
// the replay order (100.database_types before 200.tables ...), the skeleton `rokso
// create` writes for it, and the rollback that undoes an object of its kind.
class ROKSO_PLUGIN_EXPORT ObjectKindPlugin : public Plugin {
 public:
  ObjectKindPlugin* as_object_kind() override { return this; }

  // e.g. "200.tables". The directory name is part of every identity: never change it.
  virtual std::string directory() const = 0;
  // The letter `rokso create` offers for this kind, e.g. 'T'; '\0' when not offered.
  virtual char letter() const = 0;
  // The menu line for `rokso create`, e.g. "[T]able".
  virtual std::string menu_label() const = 0;
  // Position in the `rokso create` menu (smaller first).
  virtual int menu_position() const = 0;

  // The migration `rokso create` writes for a new object `schema.object`. Names arrive
  // unquoted; quote them with rokso::quote_identifier().
  virtual Migration create_template(const std::string& schema,
                                    const std::string& object) const = 0;
  // SQL dropping the object if it exists, e.g. DROP TABLE IF EXISTS "s"."t";
  virtual std::string default_rollback(const std::string& schema,
                                       const std::string& object) const = 0;

  // The pg_dump entry types (DumpEntry::type) `rokso remap` files under this kind,
  // e.g. {"TABLE"}. "*" takes every type no other kind takes. Empty: remap never
  // writes files of this kind.
  virtual std::vector<std::string> remap_entry_types() const { return {}; }
  // The rollback of a remapped file of this kind holding `entries` in apply order: the
  // first is the object the file is named after, the rest live on it (its comments,
  // indexes, constraints...). Runs before anything the file's object depends on is
  // rolled back, after everything that depends on it.
  virtual std::string remap_rollback(const std::vector<DumpEntry>& entries) const {
    return drop_all_if_exists(entries);
  }
};

}  // namespace rokso

// rokso create: writes a new migration from its kind's skeleton at
// migration/<schema>/<NNN.kind>/<object>/<YYYY_MM_DD__HH_MM_SS>_<name>.<ext>.
// Names that cannot be identifiers or path components are refused, never mangled.
#include "core/atomic_file.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/prompt.hpp"
#include "core/text_util.hpp"

#include <cctype>

namespace fs = std::filesystem;

namespace {

// PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes.
constexpr std::size_t kMaxIdentifierBytes = 63;

// A schema or object name: any identifier PostgreSQL accepts (quoted if need be) that is
// also a safe directory name.
void check_object_name(const std::string& what, const std::string& name) {
  if (name.empty()) throw rokso::usage_error(what + " must not be empty");
  if (!rokso::valid_utf8(name)) throw rokso::usage_error(what + " '" + name + "' is not valid UTF-8");
  if (name.size() > kMaxIdentifierBytes) {
    throw rokso::usage_error(what + " '" + name + "' is longer than PostgreSQL's 63-byte identifier limit");
  }
  if (name[0] == '.' || name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
    throw rokso::usage_error(what + " '" + name + "' cannot be a directory name (no '/', '\\' or leading '.')");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) throw rokso::usage_error(what + " contains a control character");
  }
}

// The migration's file name: letters, digits, '_', '-', '.', and non-ASCII letters.
void check_file_name(const std::string& name) {
  if (name.empty()) throw rokso::usage_error("the file name must not be empty");
  if (!rokso::valid_utf8(name)) throw rokso::usage_error("the file name '" + name + "' is not valid UTF-8");
  if (name.size() > 200) throw rokso::usage_error("the file name '" + name + "' is too long");
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.' || c >= 0x80)) {
      throw rokso::usage_error("the file name '" + name +
                               "' may only hold letters, digits, '_', '-' and '.' (it becomes part of a path)");
    }
  }
  if (name[0] == '.' || name[0] == '-') {
    throw rokso::usage_error("the file name '" + name + "' must not start with '.' or '-'");
  }
}

std::string value_or_ask(rokso::Session& session, const char* flag, const std::string& question,
                         const std::string& default_value = "") {
  if (session.has(flag)) return rokso::trim(session.get<std::string>(flag));
  return rokso::ask(question, default_value);
}

int create(rokso::Session& session) {
  rokso::Project& project = session.project();
  rokso::PluginRegistry& plugins = session.plugins();
  const std::string format_name =
      session.has("format") ? session.get<std::string>("format") : project.config.default_format;
  const rokso::FormatPlugin* format = plugins.format(format_name);
  if (!format) throw rokso::usage_error("unknown migration format '" + format_name + "' (see 'rokso plugins')");
  const auto kinds = plugins.object_kinds();
  if (kinds.empty()) throw rokso::failure("no object-kind plugin found (see 'rokso plugins')");

  const std::string schema = value_or_ask(session, "dbschema", "Enter the schema name", "public");
  check_object_name("the schema name", schema);

  std::string menu = "Do you want to create a", letters, default_letter;
  for (const rokso::ObjectKindPlugin* kind : kinds) {
    if (!kind->letter()) continue;
    menu += "\n" + kind->menu_label();
    letters += std::string(letters.empty() ? "" : ", ") + kind->letter();
    if (default_letter.empty()) default_letter = std::string(1, kind->letter());
  }
  menu += ": (" + letters + ")";
  // --objecttype is roksopsql's name for --type.
  if (session.has("type") && session.has("objecttype") &&
      session.get<std::string>("type") != session.get<std::string>("objecttype")) {
    throw rokso::usage_error("--type and --objecttype name different kinds; give one of them");
  }
  std::string letter = value_or_ask(session, session.has("objecttype") ? "objecttype" : "type", menu, default_letter);
  // Beyond the menu's letters, any kind by its name ("trigger") or directory
  // ("700.triggers"): the kinds remap writes have no letter, to keep roksopsql's menu.
  const rokso::ObjectKindPlugin* kind =
      letter.size() == 1 ? plugins.object_kind_by_letter(static_cast<char>(std::toupper(letter[0]))) : nullptr;
  for (const rokso::ObjectKindPlugin* k : kinds) {
    if (!kind && (k->name() == letter || k->directory() == letter)) kind = k;
  }
  if (!kind) {
    throw rokso::usage_error("unknown kind '" + letter + "'; choose one of " + letters +
                             ", or a kind's name or directory from 'rokso plugins'");
  }

  const std::string object = value_or_ask(
      session, "tablename", "Enter table/procedure/function name that you want to create this migration for.");
  check_object_name("the object name", object);
  const std::string name = value_or_ask(session, "filename", "Enter a file name for this migration.");
  check_file_name(name);

  rokso::out::line("creating a migration ...........");
  rokso::out::line("working directory::  " + project.root.string());
  const fs::path dir = project.migration_dir() / schema / kind->directory() / object;
  rokso::out::line("migration filepath:: " + dir.string());
  const std::vector<rokso::RenderedFile> files =
      format->render(rokso::file_timestamp_now(project.config.local_timestamps) + "_" + name, kind->create_template(schema, object));

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw rokso::failure("cannot create '" + dir.string() + "': " + ec.message());
  for (const rokso::RenderedFile& file : files) {
    if (fs::exists(dir / file.file_name, ec)) {
      throw rokso::failure("'" + (dir / file.file_name).string() + "' already exists");
    }
  }
  // Each file whole or not at all (a full disk leaves no empty migration behind), and
  // a pair (.sql's apply and rollback) both or neither.
  std::vector<fs::path> written;
  try {
    for (const rokso::RenderedFile& file : files) {
      rokso::write_file_atomically((dir / file.file_name).string(), file.content, 0666, rokso::Overwrite::never);
      written.push_back(dir / file.file_name);
    }
  } catch (const rokso::Error&) {
    for (const fs::path& path : written) fs::remove(path, ec);
    throw;
  }
  rokso::out::line("[*] migration file " + files.front().file_name + " has been generated");
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "create";
  command.synopsis = "[--dbschema <schema>] [--type|--objecttype T|V|M|F|D] [--tablename <object>] [--filename <name>] "
                     "[--format <format>]";
  auto text = [] { return rokso::po::value<std::string>(); };
  command.options.add_options()
      ("dbschema", text()->value_name("<schema>"), "schema of the object (default public)")
      ("type", text()->value_name("<letter>"), "kind of object: T table, V view, M materialized view, "
                                                "F function, D database type (default T); or any kind's name, e.g. trigger (see 'rokso plugins')")
      ("objecttype", text()->value_name("<letter>"), "the same as --type (roksopsql's name for it)")
      ("tablename", text()->value_name("<object>"), "name of the table, view, function or type")
      ("filename", text()->value_name("<name>"), "name of the migration file, without timestamp or extension")
      ("format", text()->value_name("<format>"), "file format of the migration: py, sql, yaml or a plugin's (default: config.json's default_format, else py)");
  command.run = create;
  return rokso::run_command(argc, argv, command);
}

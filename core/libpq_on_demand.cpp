// The front binary (commands/rokso.cpp) reads connection settings only for a custom
// rokso-<cmd> (core/external_context.hpp), yet linking libpq made every `rokso <cmd>`
// load it: Debian's libpq brings about twenty libraries (OpenSSL, Kerberos, LDAP,
// GnuTLS...) whose loading and relocation cost ~15 ms of CPU per run, more than the rest
// of the front together, paid again by the rokso-<cmd> it execs. So the front defines
// the four libpq functions its connection code calls, and they load libpq on first use.
// rokso_core links libpq as usual; this file is the front's alone.
#include "core/error.hpp"

#include <dlfcn.h>
#include <libpq-fe.h>

namespace {

// libpq's soname, unchanged since PostgreSQL 8.0: a newer libpq5 keeps it.
constexpr const char kLibpq[] = "libpq.so.5";

template <typename Function>
Function* libpq_function(const char* name) {
  static void* library = nullptr;
  if (!library) {
    library = ::dlopen(kLibpq, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char* why = ::dlerror();
      throw rokso::failure(std::string("cannot load ") + kLibpq + ": " + (why ? why : "unknown reason"));
    }
  }
  void* symbol = ::dlsym(library, name);
  if (!symbol) throw rokso::failure(std::string(kLibpq) + " has no " + name);
  return reinterpret_cast<Function*>(symbol);
}

}  // namespace

extern "C" {

PQconninfoOption* PQconndefaults(void) {
  static auto* function = libpq_function<PQconninfoOption*()>("PQconndefaults");
  return function();
}

PQconninfoOption* PQconninfoParse(const char* conninfo, char** errmsg) {
  static auto* function = libpq_function<PQconninfoOption*(const char*, char**)>("PQconninfoParse");
  return function(conninfo, errmsg);
}

void PQconninfoFree(PQconninfoOption* options) {
  static auto* function = libpq_function<void(PQconninfoOption*)>("PQconninfoFree");
  function(options);
}

void PQfreemem(void* pointer) {
  static auto* function = libpq_function<void(void*)>("PQfreemem");
  function(pointer);
}

}  // extern "C"

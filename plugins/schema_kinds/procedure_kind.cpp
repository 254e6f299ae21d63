#include "kind_support/simple_kind.hpp"

namespace {

class ProcedureKind : public rokso::kinds::SimpleKind {
 public:
  ProcedureKind()
      : SimpleKind({"procedure", "510.procedures", '\0', "Procedure", 7, "PROCEDURE",
                    "procedures (CALL-able)", {"PROCEDURE"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "CREATE OR REPLACE PROCEDURE " + qualified +
           "()\n"
           " LANGUAGE plpgsql\n"
           "AS $procedure$\n"
           "BEGIN\n"
           "    -- the procedure's body\n"
           "END;\n"
           "$procedure$;";
  }
  std::string drop_suffix() const override { return "()"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("procedure", ProcedureKind)

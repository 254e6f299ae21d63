#include "kind_support/simple_kind.hpp"

namespace {

class FunctionKind : public rokso::kinds::SimpleKind {
 public:
  FunctionKind()
      : SimpleKind({"function", "500.functions", 'F', "[F]unctions", 4, "FUNCTION",
                  "functions (roksopsql's 500.functions)", {"FUNCTION"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "CREATE OR REPLACE FUNCTION " + qualified +
           "()\n"
           " RETURNS void\n"
           " LANGUAGE plpgsql\n"
           "AS $function$\n"
           "BEGIN\n"
           "    -- the function's body\n"
           "END;\n"
           "$function$;";
  }
  // The skeleton takes no arguments; a function given some needs them in its DROP too.
  std::string drop_suffix() const override { return "()"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("function", FunctionKind)

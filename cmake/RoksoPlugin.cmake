# rokso_add_plugin(<target> <sources>...)
#
# Builds a rokso plugin: a shared module that exports only rokso's two entry points
# (the manifest and the factory declared by ROKSO_DECLARE_PLUGIN). rokso's own plugins
# are built with this same function, so an outside team's plugin is built exactly
# like a built-in one. Outside the rokso tree it needs find_package(rokso) first.
function(rokso_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE rokso::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE LINKER:--no-undefined)
endfunction()

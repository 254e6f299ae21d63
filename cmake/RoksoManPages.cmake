# Man pages, generated at build time from the one source they share with the help: each
# command's own --help (its options and the command table's summary), the front binary's
# command list, and README.md's plugin sections for rokso-plugins(7). Staged under
# stage/share/man so the build tree is an install tree, and installed under share/man.
# Needs bash, sed and awk; `man -l` reads them (the tests render each).
set(ROKSO_MAN_SCRIPT "${PROJECT_SOURCE_DIR}/cmake/man/make-man-page.sh")
set(ROKSO_MAN_DIR "${ROKSO_STAGE}/${CMAKE_INSTALL_MANDIR}")
set(_pages)
foreach(cmd IN LISTS ROKSO_COMMANDS)
  set(_page "${ROKSO_MAN_DIR}/man1/rokso-${cmd}.1")
  add_custom_command(OUTPUT "${_page}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${ROKSO_MAN_DIR}/man1"
    COMMAND bash "${ROKSO_MAN_SCRIPT}" command "$<TARGET_FILE:rokso-${cmd}>" "${cmd}" "${PROJECT_VERSION}" "${_page}"
    DEPENDS rokso-${cmd} "${ROKSO_MAN_SCRIPT}"
    COMMENT "man page rokso-${cmd}(1)" VERBATIM)
  list(APPEND _pages "${_page}")
endforeach()
set(_page "${ROKSO_MAN_DIR}/man1/rokso.1")
set(_command_targets)
foreach(cmd IN LISTS ROKSO_COMMANDS)
  list(APPEND _command_targets rokso-${cmd})
endforeach()
add_custom_command(OUTPUT "${_page}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${ROKSO_MAN_DIR}/man1"
  COMMAND bash "${ROKSO_MAN_SCRIPT}" front "$<TARGET_FILE:rokso>" "${PROJECT_VERSION}" "${_page}"
  DEPENDS rokso ${_command_targets} "${ROKSO_MAN_SCRIPT}"
  COMMENT "man page rokso(1)" VERBATIM)
list(APPEND _pages "${_page}")
set(_page "${ROKSO_MAN_DIR}/man7/rokso-plugins.7")
add_custom_command(OUTPUT "${_page}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${ROKSO_MAN_DIR}/man7"
  COMMAND bash "${ROKSO_MAN_SCRIPT}" readme "${PROJECT_SOURCE_DIR}/README.md" "Plugins|Custom subcommands"
          rokso-plugins 7 "the plugin SDK, and the contract of a custom rokso-<cmd>" "${PROJECT_VERSION}" "${_page}"
  DEPENDS "${PROJECT_SOURCE_DIR}/README.md" "${ROKSO_MAN_SCRIPT}"
  COMMENT "man page rokso-plugins(7)" VERBATIM)
list(APPEND _pages "${_page}")
add_custom_target(rokso_man_pages ALL DEPENDS ${_pages})
install(DIRECTORY "${ROKSO_MAN_DIR}/" DESTINATION "${CMAKE_INSTALL_MANDIR}")

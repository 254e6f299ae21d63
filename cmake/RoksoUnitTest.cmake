# rokso_add_unit_test(<target>
#   TEST_NAME <name>           registered in ctest as unit.<name>
#   SOURCES <sources>...       the Boost.Test cases, kept beside the code they test
#   [LIBS <libs>...]           what they test
#   [LABELS <labels>...])
#
# The one way a unit test runner is built and registered (the core's, each format's):
# a Boost.Test executable in the current binary directory, run by ctest as unit.<name>.
# Returns nothing; the caller may add properties to <target>.
function(rokso_add_unit_test target)
  cmake_parse_arguments(PARSE_ARGV 1 U "" "TEST_NAME" "SOURCES;LIBS;LABELS")
  add_executable(${target} ${U_SOURCES})
  target_link_libraries(${target} PRIVATE ${U_LIBS} Boost::unit_test_framework)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  # The cases themselves unoptimised: what they test is built as it ships (LIBS), and -O2
  # on tables of cases cost more compile time than any other file (py_reader_test.cpp:
  # 22 s, 6 s at -O0) for nothing a test needs.
  target_compile_options(${target} PRIVATE -O0)
  add_test(NAME unit.${U_TEST_NAME} COMMAND ${target})
  if(U_LABELS)
    set_tests_properties(unit.${U_TEST_NAME} PROPERTIES LABELS "${U_LABELS}")
  endif()
endfunction()

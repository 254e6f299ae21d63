# rokso_add_format(<name>
#   READER <sources>...        rokso_<name>_reader: pure text <-> Migration, no I/O beyond files
#                              (on rokso_format_support: file-formats/support/reader_text.hpp)
#   PLUGIN <sources>...        the plugin module rokso-format-<name> (installed), on the reader
#   TESTS <sources>...         <name>_reader_test (Boost.Test), registered as unit.<TEST_NAME>
#   TEST_NAME <test name>
#   [READER_PRIVATE_LIBS <libs>...] [PLUGIN_LIBS <libs>...])
#
# rokso's own format plugins, each in file-formats/<name>/ with fuzz_<name>_reader.cpp:
# one function, so the three formats cannot drift apart. The test runner finds the built
# module in ROKSO_<NAME>_PLUGIN_PATH, as the host loads it. With -DROKSO_FUZZ=ON (clang),
# fuzz_<name>_reader compiles the reader's sources itself (not the library) so that they
# carry the fuzzer's coverage instrumentation.
function(rokso_add_format name)
  cmake_parse_arguments(PARSE_ARGV 1 F "" "TEST_NAME" "READER;PLUGIN;TESTS;READER_PRIVATE_LIBS;PLUGIN_LIBS")
  set(reader rokso_${name}_reader)
  set(plugin rokso-format-${name})
  string(TOUPPER "${name}" upper)

  add_library(${reader} STATIC ${F_READER})
  target_include_directories(${reader} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${reader} PUBLIC rokso_sdk rokso_format_support PRIVATE ${F_READER_PRIVATE_LIBS})

  rokso_add_plugin(${plugin} ${F_PLUGIN})
  target_link_libraries(${plugin} PRIVATE ${reader} ${F_PLUGIN_LIBS})
  install(TARGETS ${plugin} LIBRARY DESTINATION "${ROKSO_PLUGIN_SUBDIR}")

  if(ROKSO_BUILD_TESTS)
    set(runner ${name}_reader_test)
    rokso_add_unit_test(${runner} TEST_NAME ${F_TEST_NAME} SOURCES ${F_TESTS} LIBS ${reader} ${CMAKE_DL_LIBS})
    add_dependencies(${runner} ${plugin})
    target_compile_definitions(${runner} PRIVATE ROKSO_${upper}_PLUGIN_PATH="$<TARGET_FILE:${plugin}>")
    target_include_directories(${runner} PRIVATE "${PROJECT_SOURCE_DIR}/file-formats")
  endif()

  if(ROKSO_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(fuzz_${name}_reader fuzz_${name}_reader.cpp ${F_READER})
    target_include_directories(fuzz_${name}_reader PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(fuzz_${name}_reader PRIVATE rokso_sdk rokso_format_support ${F_READER_PRIVATE_LIBS})
    target_compile_options(fuzz_${name}_reader PRIVATE -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer)
    target_link_options(fuzz_${name}_reader PRIVATE -fsanitize=fuzzer,address,undefined)
  endif()
endfunction()

# Included from tests/CMakeLists.txt: every fuzz target is also built with
# a plain main (replay_main.c) that replays tests/fuzz/regressions/<target>/,
# so that the normal and the sanitizer builds re-run every input that once
# crashed, through the same entry function the fuzzer calls.
file(GLOB FUZZ_REPLAY_TARGETS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz_*.c)
foreach(src IN LISTS FUZZ_REPLAY_TARGETS)
  get_filename_component(name ${src} NAME_WE)
  add_executable(replay_${name} ${src} ${CMAKE_CURRENT_LIST_DIR}/replay_main.c)
  target_compile_options(replay_${name} PRIVATE ${SUNSET_WARNINGS})
  target_include_directories(replay_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(replay_${name} PRIVATE sunset_lib)
  add_test(NAME fuzz-replay/${name}
    COMMAND replay_${name} ${CMAKE_CURRENT_LIST_DIR}/regressions/${name})
  # a hang is a failure too
  set_tests_properties(fuzz-replay/${name} PROPERTIES WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} TIMEOUT 60)
endforeach()

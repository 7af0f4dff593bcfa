# The coverage report (included by tests/dispatch/CMakeLists.txt).
helpdesk_unit_test(coverage_test coverage_test.cc)
target_link_libraries(coverage_test PRIVATE helpdesk::dispatch)

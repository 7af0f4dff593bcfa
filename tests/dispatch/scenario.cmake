helpdesk_unit_test(dispatch_scenario_test scenario_test.cc)
target_link_libraries(dispatch_scenario_test PRIVATE
  helpdesk::dispatch helpdesk::seed helpdesk::catalogue)

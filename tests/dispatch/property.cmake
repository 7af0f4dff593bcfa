# Properties of dispatch::Decide over random regions x tickets x instants,
# and load balancing. random_roster.* is also compiled into
# tools/microbench (helpdesk-dispatch-bench).
helpdesk_unit_test(dispatch_property_test property_test.cc
  property_cases.cc property_cases.h random_roster.cc random_roster.h)
target_link_libraries(dispatch_property_test PRIVATE helpdesk::dispatch)

helpdesk_unit_test(dispatch_balance_test balance_test.cc)
target_link_libraries(dispatch_balance_test PRIVATE helpdesk::dispatch)

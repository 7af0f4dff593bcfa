# Properties of dispatch::Decide over random regions x tickets x instants
# (the region generator is tests/support/random_roster), and load
# balancing.
helpdesk_unit_test(dispatch_property_test property_test.cc
  property_cases.cc property_cases.h)
target_link_libraries(dispatch_property_test PRIVATE helpdesk::dispatch
  helpdesk::test_roster)

helpdesk_unit_test(dispatch_balance_test balance_test.cc)
target_link_libraries(dispatch_balance_test PRIVATE helpdesk::dispatch)

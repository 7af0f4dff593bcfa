
kari.haugenKari HaugenTeamleder IT-støtte"
900 00 101*	kongsberg2	kongsberg:	kongsberg:flesbergBuser-supportBidentityBplanningHdR
08:0015:30R
10:0012:00Z'

2026-04-13
2026-04-17"Påskeferie`h
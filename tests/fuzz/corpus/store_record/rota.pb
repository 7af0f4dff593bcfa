
6
àŒòÎà—Ïkari.haugen"ole.kristiansen*uke 16
!
à—Ïàö»Ïole.kristiansen
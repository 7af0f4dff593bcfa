
rollagRollag3336"1
rollag-kommunehusRollag kommunehus	town_hall(ø
